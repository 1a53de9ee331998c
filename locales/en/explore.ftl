# Explore: the main challenge, causes, effects, what has been tried, who is missing, urgency.

explore-challenge = What is the main challenge this dialogue should deal with? Please answer in your own words.
explore-causes = What do you think causes this challenge?
explore-effects = How does it affect your life and the lives of people around you?
explore-tried = What has already been tried to solve it? What worked and what did not?

explore-missing = Is anyone missing from the table? Are there people or groups who should take part in this dialogue but do not?
explore-who_missing = Who is missing? Tell us which people or groups, and how we could reach them.

explore-urgency = How urgent is this challenge?
explore-urgency-low = Can wait
explore-urgency-high = Very urgent

explore-thanks = Thank you for sharing. Next, we would like to hear your hopes for the future.
