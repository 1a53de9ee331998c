# Textes du moteur (mots-clés, relances), communs à tous les parcours.
# Restent en GSM-7 : pas de ç, â, ê, î, ô, û ni apostrophe courbe.
yes = Oui
no = Non
language-en = English
language-fr = Français
language-es = Español
choose-language = Language / Langue / Idioma:
language-set = Entendu, nous vous écrirons en français.
multi-hint = Répondez avec { $max } numéros au plus, ex. 1 3
scale-hint = ({ $min }={ $low }, { $max }={ $high })
reprompt-choice = Désolé, je n'ai pas compris. Répondez avec un numéro de 1 à { $max }.
reprompt-multi = Désolé, je n'ai pas compris. Répondez avec { $max } numéros au plus, de 1 à { $count }, ex. 1 3.
reprompt-scale = Désolé, je n'ai pas compris. Répondez avec un chiffre de { $min } à { $max }.
reprompt-yesno = Désolé, je n'ai pas compris. Répondez 1 pour Oui ou 2 pour Non.
reprompt-text = Merci d'écrire votre réponse en quelques mots.
reprompt-too-long = C'est un peu long ({ $length } caractères). Restez sous { $max }, svp.
offer-help = Envoyez AIDE si vous avez besoin d'aide.
help = Aide Baraza : répondez avec le numéro de votre choix. STOP : arrêter les messages. START : revenir. LANGUE : changer de langue. MESDONNEES : ce que nous gardons. SUPPRIMER : effacer vos données.
stopped = Vous ne recevrez plus de messages. Envoyez START pour revenir.
welcome-back = Bon retour ! Voici où nous en étions :
all-done = Vous avez tout répondu, merci ! Nous partagerons les résultats. Envoyez AIDE pour les options.
question-closed = Cette question est close. Merci de répondre à la dernière.
mydata = Nous gardons : votre identifiant { $id }, langue { $language }, accord { $consent }, profil { $profile }, { $answers } réponses. Votre numéro est gardé à part et jamais exporté.
delete-confirm = Effacer toutes vos réponses et votre profil ? Répondez OUI pour confirmer, autre chose pour annuler.
deleted = Vos données ont été effacées. Merci d'avoir participé.
delete-cancelled = Rien n'a été effacé.
unknown-dialogue = Nous ne connaissons pas de dialogue "{ $code }". Vérifiez le code.
prompt-thanks = Merci, votre réponse a bien été reçue.
vote-thanks = Merci ! Votre vote : { $choice }. Vous pouvez le changer tant que le sondage est ouvert.
poll-closed = Ce sondage est clos. Merci quand même.
