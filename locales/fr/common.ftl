# Textes du moteur (mots-clés, relances), communs à tous les parcours.
# Restent en GSM-7 : pas de ç, â, ê, î, ô, û ni apostrophe courbe.
yes = Oui
no = Non
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
unknown-dialogue = Nous ne connaissons pas ce dialogue. Vérifiez le code.
prompt-thanks = Merci, votre réponse a bien été reçue.
vote-thanks = Merci ! Votre vote : { $choice }. Pour le changer avant la clôture, envoyez SONDAGE { $id }.
poll-closed = Ce sondage est clos. Merci quand même.

# L'agenda : sondages et questions des facilitateurs, une question a la fois.
poll-head = Sondage { $id } : { $question }
poll-your-vote = Votre vote : { $choice }
poll-hint = Répondez avec un numéro de 1 à { $max }, ou PASSER.
prompt-head = Question { $id } des facilitateurs : { $question }
prompt-hint = Répondez en quelques mots, ou PASSER.
back-to-question = Revenons où nous en étions :
skipped = Entendu, question passée.
skip-flow = PASSER sert pour un sondage ou une question des facilitateurs, pas pour celle-ci.
poll-unknown = Il n'y a pas de sondage { $id } ouvert pour vous.
stopped-help = Vous avez arrêté les messages. Envoyez START pour revenir, MESDONNEES pour voir ce que nous gardons, SUPPRIMER pour l'effacer.
reprompt-too-many = Vous avez choisi { $count } réponses. Choisissez-en { $max } au plus.
profile-group = groupe
profile-age = age
profile-gender = genre
profile-area = lieu
greeting = Bonjour !

# Délibération : des affirmations à approuver ou non, et les idées proposées.
statement-head = Affirmation { $id } : { $text }
statement-untranslated = (Pas encore traduite en { $language }.)
statement-your-vote = Votre réponse : { $choice }
statement-agree = D'accord
statement-disagree = Pas d'accord
statement-pass = Sans avis
statement-thanks = Merci ! Votre réponse : { $choice }. Pour la changer, envoyez AFFIRMATION { $id }.
statement-unknown = Il n'y a pas d'affirmation { $id } ouverte pour vous.
idea-ask = Quelle est votre idée ? Écrivez une phrase courte ({ $max } caractères au plus) que d'autres pourront approuver ou non.
idea-too-long = Écrivez une phrase courte de { $max } caractères au plus, svp (la vôtre en a { $length }).
idea-thanks = Merci ! Les autres verront votre idée quand un facilitateur l'aura lue.
idea-consent-first = Répondez d'abord aux premières questions, svp, avant de proposer une idée.
propose-hint = Une phrase courte, { $max } caractères au plus.
