# Onboarding: welcome, consent, language and a short optional profile.
# Sent by SMS too: keep each question with its numbered options under 160 characters.

onboarding-welcome = Welcome to Baraza! Join the dialogue "{ $dialogue }", run by civil society: citizens and leaders finding solutions together.
onboarding-about = We will ask a few short questions. Your answers are used only for this dialogue. Send STOP to leave at any time, or HELP if you need help.

onboarding-consent = Can we keep your answers and a short profile? Your number or Telegram id is kept apart to reach you; exports show a code instead. DELETE erases all.
onboarding-consent-declined = No problem, we will not store anything. Thank you. You can write to us again at any time.

onboarding-language = Language / Langue / Idioma:

onboarding-group = Which group are you part of?
onboarding-group-community = Community member
onboarding-group-civil-society = Civil society
onboarding-group-government = Government
onboarding-group-business = Business
onboarding-group-research = Research
onboarding-group-partner = Development partner
onboarding-group-other = Other
onboarding-group-prefer-not = Prefer not to say

onboarding-age = How old are you?
onboarding-age-under-18 = Under 18
onboarding-age-18-24 = 18 to 24
onboarding-age-25-34 = 25 to 34
onboarding-age-35-49 = 35 to 49
onboarding-age-50-64 = 50 to 64
onboarding-age-65-plus = 65 or older
onboarding-age-prefer-not = Prefer not to say

onboarding-gender = What is your gender?
onboarding-gender-woman = Woman
onboarding-gender-man = Man
onboarding-gender-other = Other
onboarding-gender-prefer-not = Prefer not to say

onboarding-area = Where do you live?
onboarding-area-urban = In a town or city
onboarding-area-peri-urban = On the edge of a town
onboarding-area-rural = In a rural area
onboarding-area-prefer-not = Prefer not to say

onboarding-thanks = Thank you! Next, a few questions about the main challenge facing your community.
