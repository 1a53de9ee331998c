# The bench survey (the same text in every language: only the machinery is measured).
join-consent = Can we store your answers?
join-consent-declined = No problem, nothing is stored.
survey-concern = What is your main concern?
survey-sector = Which sector are you in?
survey-sector-community = Community
survey-sector-government = Government
survey-sector-business = Business
survey-urgency = How urgent is it?
survey-urgency-low = Can wait
survey-urgency-high = Very urgent
survey-idea = What would you do about it?
survey-thanks = Thank you! Here we go again.
