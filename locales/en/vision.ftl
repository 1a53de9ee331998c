# Vision: what success looks like, top priorities, and what people can do themselves.

vision-success = Imagine it is five years from now and things have gone well. What has changed? What does success look like?

vision-priorities = What should come first?
vision-priorities-water = Water
vision-priorities-health = Health
vision-priorities-jobs = Jobs and income
vision-priorities-education = Education
vision-priorities-security = Safety
vision-priorities-land = Land
vision-priorities-governance = Good governance
vision-priorities-other = Other

vision-contribution = What could you or your organisation do to help make this happen?

vision-thanks = Thank you! Last, two quick questions about this conversation.
