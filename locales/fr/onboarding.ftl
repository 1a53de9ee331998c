# Accueil : bienvenue, consentement, langue et un court profil facultatif.
# Aussi envoyé par SMS : pas de ç, â, ê, î, ô, û ni apostrophe courbe (sinon SMS de 70 caractères).

onboarding-welcome = Bienvenue sur Baraza ! Participez au dialogue "{ $dialogue }", organisé par la société civile pour trouver ensemble des solutions.
onboarding-about = Nous allons vous poser quelques questions courtes. Vos réponses servent uniquement à ce dialogue. Envoyez STOP pour quitter, ou AIDE pour de l'aide.

onboarding-consent = Peut-on garder vos réponses et un bref profil ? Vos coordonnées restent à part, pour vous joindre. Exports sous un code. SUPPRIMER efface tout.
onboarding-consent-declined = Pas de problème, nous n'enregistrons rien. Merci. Vous pouvez nous écrire de nouveau quand vous le souhaitez.

onboarding-language = Language / Langue / Idioma:

onboarding-group = Quel est votre groupe ?
onboarding-group-community = Communauté
onboarding-group-civil-society = Société civile
onboarding-group-government = Gouvernement
onboarding-group-business = Secteur privé
onboarding-group-research = Recherche
onboarding-group-partner = Partenaire au développement
onboarding-group-other = Autre
onboarding-group-prefer-not = Je préfère ne pas dire

onboarding-age = Combien d'années avez-vous ?
onboarding-age-under-18 = Moins de 18 ans
onboarding-age-18-24 = 18 à 24 ans
onboarding-age-25-34 = 25 à 34 ans
onboarding-age-35-49 = 35 à 49 ans
onboarding-age-50-64 = 50 à 64 ans
onboarding-age-65-plus = 65 ans ou plus
onboarding-age-prefer-not = Je préfère ne pas dire

onboarding-gender = Quel est votre genre ?
onboarding-gender-woman = Femme
onboarding-gender-man = Homme
onboarding-gender-other = Autre
onboarding-gender-prefer-not = Je préfère ne pas dire

onboarding-area = Où vivez-vous ?
onboarding-area-urban = En ville
onboarding-area-peri-urban = En périphérie d'une ville
onboarding-area-rural = En zone rurale
onboarding-area-prefer-not = Je préfère ne pas dire

onboarding-thanks = Merci ! Voici maintenant quelques questions sur le principal problème de votre communauté.
