# Commandes des facilitateurs (chaque réponse est dans la langue du facilitateur : /lang),
# et ce que les participants en reçoivent. Les nombres de personnes arrivent en $shown (le
# chiffre, "<5" s'il est petit) avec $count pour choisir le pluriel.
fac-refused = Désolé, cette commande est réservée aux facilitateurs du dialogue.
fac-not-participant = Vous facilitez ce dialogue : vous ne participez pas à ses parcours et n'êtes pas compté parmi les participants.
fac-unknown-command = La commande { $command } n'existe pas.
fac-try-again = Cela n'a pas pu être fait à l'instant : renvoyez la commande, s'il vous plaît.
fac-help =
    Commandes des facilitateurs pour { $dialogues } (heures de { $zone }) :
    /prompt Question - une question ouverte à tous les participants
    /poll Question | Option 1 | Option 2 - un sondage
    /share [ID] - renvoyer à tous les résultats d'un sondage
    Chacune répond d'abord par un aperçu : /send l'envoie, /cancel l'abandonne.
    /close [ID] - clore un sondage ; /results [ID] - ses votes à ce jour
    /dashboard - qui participe ; /export - les réponses en CSV ; /web - le tableau de bord web
    /statement, /statements, /approve, /reject, /round - des affirmations à approuver ou non
    /lang en - la langue de ces réponses (en, fr, es)
    /help poll - plus de détails sur une commande

# Comment écrire chaque commande, ajouté sous la raison quand une commande est refusée.
fac-usage-help = /help liste les commandes ; /help poll en dit plus sur l'une d'elles.
fac-usage-lang = Écrivez /lang fr pour le français, /lang es pour l'espagnol, /lang en pour l'anglais.
fac-usage-prompt =
    Écrivez : /prompt Votre question
    En plusieurs langues : /prompt en: Question? | fr: Question ? | es: ¿Pregunta?
    Options : --to GROUPE (un groupe de parties prenantes), --opens 2h, --closes 24h, --urgent
    Exemple : /prompt --closes 2d De quoi parler à la prochaine séance ?
fac-usage-poll =
    Écrivez : /poll Question | Option 1 | Option 2 (de 2 à 10 options)
    En plusieurs langues : /poll en: Q | A | B || fr: Q | A | B
    Options : --to GROUPE, --opens 2h, --closes 24h (à partir de maintenant, 60 jours au plus), --urgent
    Exemple : /poll --closes 24h Quoi d'abord ? | Eau | Routes
fac-usage-share = Écrivez /share pour le dernier sondage, ou /share 3 pour le sondage 3. Un aperçu vient d'abord.
fac-usage-send = Écrivez /send pour envoyer ce que vous venez de prévisualiser (/cancel l'abandonne).
fac-usage-cancel = Écrivez /cancel pour abandonner ce que vous avez prévisualisé : rien n'est envoyé.
fac-usage-close = Écrivez /close pour le dernier sondage, ou /close 3 pour le sondage 3.
fac-usage-results = Écrivez /results pour le dernier sondage, ou /results 3 pour le sondage 3.
fac-usage-dashboard = Écrivez /dashboard (ou /dashboard --dialogue CODE).
fac-usage-export = Écrivez /export (ou /export --dialogue CODE) : les réponses dans un fichier CSV.
fac-usage-web = Écrivez /web pour un lien vers le tableau de bord web, ou /web off pour vous déconnecter partout.

# Pourquoi une commande est refusée.
fac-unknown-option = { $option } n'est pas une option de cette commande.
fac-option-needs-value = { $option } demande une valeur.
fac-takes-no-text = { $command } ne prend rien après elle.
fac-bad-duration = "{ $value }" n'est pas une durée : écrivez 90m, 24h ou 2d.
fac-opens-too-soon = --opens { $value } est trop tôt : au moins 1 minute à l'avance (sans --opens, l'envoi est immédiat).
fac-too-far = { $option } { $value } est trop loin : { $days } jours au plus.
fac-closes-before-opens = --closes { $closes } le clorait avant son ouverture (--opens { $opens }) : les deux comptent à partir de maintenant.
fac-closes-too-soon = --closes { $value } est trop tôt : il reste ouvert au moins { $minutes } minutes.
fac-mixed-languages = Donnez une langue (en:, fr:, es:) à chaque partie, ou à aucune.
fac-language-twice = "{ $prefix }:" est donné deux fois.
fac-empty-language = Une langue n'a pas de texte.
fac-poll-no-question = Le sondage n'a pas de question.
fac-poll-one-option = { $count ->
    [0] Un sondage a besoin d'au moins 2 options ; vous n'en avez donné aucune.
    [one] Un sondage a besoin d'au moins 2 options ; vous n'en avez donné qu'une.
   *[other] Un sondage a besoin d'au moins 2 options.
}
fac-too-many-options = Un sondage a au plus { $max } options ; vous en avez donné { $count }.
fac-duplicate-option = L'option "{ $option }" est donnée deux fois.
fac-options-differ = Chaque langue doit donner le même nombre d'options.
fac-not-a-number = "{ $value }" n'est pas un numéro de sondage.
fac-unknown-group = Pas de groupe "{ $group }". Groupes : { $groups }.
fac-unknown-dialogue = Vous ne facilitez pas de dialogue "{ $code }".
fac-no-poll-yet = { $dialogue } n'a pas encore de sondage.
fac-unknown-poll = Il n'y a pas de sondage { $id } dans { $dialogue }. { $count ->
    [0] Il n'a pas encore de sondage.
   *[other] Ses sondages : { $polls }.
}
fac-not-a-poll = { $id } est une question, pas un sondage. { $count ->
    [0] { $dialogue } n'a pas encore de sondage.
   *[other] Sondages de { $dialogue } : { $polls }.
}
fac-share-not-open = Le sondage { $id } n'est pas encore ouvert (il ouvre à { $time }) : il n'y a pas de résultats à partager.

# Sondages.
fac-closed = { $kind ->
    [poll] Sondage { $id } clos : { $shown } { $count ->
        [one] vote
       *[other] votes
    }.
   *[prompt] Question { $id } close : { $shown } { $count ->
        [one] réponse
       *[other] réponses
    }.
}
fac-already-closed = { $kind ->
    [poll] Le sondage { $id } était déjà clos ({ $time }) : { $shown } { $count ->
        [one] vote
       *[other] votes
    }.
   *[prompt] La question { $id } était déjà close ({ $time }) : { $shown } { $count ->
        [one] réponse
       *[other] réponses
    }.
}
fac-cancelled-scheduled = { $kind ->
    [poll] Le sondage { $id } n'ouvrira pas : annulé.
   *[prompt] La question { $id } n'ouvrira pas : annulée.
}
fac-results = Sondage { $id } : { $question } ({ $shown } { $count ->
    [one] vote
   *[other] votes
}, { $state })
fac-state-open = ouvert
fac-state-open-until = ouvert jusqu'à { $time }
fac-state-closed = clos
fac-state-scheduled = ouvre à { $time }

# Aperçus : rien ne part avant /send.
fac-preview-head = { $kind ->
    [poll] Aperçu de votre sondage, pas encore envoyé :
    [share] Aperçu des résultats que vous partageriez, pas encore envoyés :
    [round] Aperçu de votre tour d'affirmations, pas encore envoyé :
    [statements] Aperçu du terrain d'entente que vous partageriez, pas encore envoyé :
   *[prompt] Aperçu de votre question, pas encore envoyée :
}
fac-preview-poll = Sondage { $id } : { $question } ({ $shown } { $count ->
    [one] vote
   *[other] votes
})
fac-preview-too-few = Moins de { $least } votes : les participants apprendront seulement que les résultats viendront quand plus de personnes auront voté.
fac-preview-still-open = Le sondage { $id } est encore ouvert : voici les résultats à ce jour, et il reste ouvert.
fac-preview-everyone = tous les participants de { $dialogue }
fac-preview-group = le groupe { $group } ({ $code })
fac-preview-audience = { $count ->
    [0] Personne ne le recevrait encore : aucun participant n'a donné son accord dans { $who }.
   *[other] Pour { $who } : { $shown } participants.
}
fac-preview-by = Par canal : { $channels }. Par langue : { $languages }.
fac-preview-window = Sur WhatsApp, { $shown } { $count ->
    [one] personne n'a
   *[other] personnes n'ont
} pas écrit depuis 24 heures : { $how ->
    [template] elles le reçoivent sous forme de votre modèle approuvé.
   *[wait] il attend qu'elles écrivent de nouveau (WHATSAPP_TEMPLATE_SID permet d'envoyer un modèle).
}
fac-preview-fallback = Pas de texte en { $language } : les personnes qui lisent en { $language } reçoivent le texte en { $fallback }.
fac-preview-sms = Parties SMS par langue : { $parts }
fac-preview-quiet = Heures calmes en ce moment ({ $start }-{ $end }, { $zone }) : l'envoi attendra { $end }.
fac-preview-opens = Ouvre à { $time }.
fac-preview-closes = Se clôt à { $time }.
fac-preview-urgent = Urgent : montré tout de suite, même aux personnes au milieu d'une question.
fac-preview-replaces = Il remplace votre brouillon précédent, qui ne sera pas envoyé.
fac-preview-how = { $buttons ->
    [true] Envoyez-le avec /send ou le bouton Envoyer, abandonnez-le avec /cancel.
   *[other] Envoyez-le avec /send, abandonnez-le avec /cancel.
} Il expire dans { $minutes } minutes, à { $time }.
fac-button-send = Envoyer
fac-button-cancel = Annuler
fac-draft-old = Ce n'est pas votre dernier aperçu : rien n'a été envoyé.
fac-no-draft = Rien à envoyer ni à annuler : /prompt, /poll et /share font d'abord un aperçu.
fac-draft-was-sent = { $kind ->
    [poll] Le sondage { $id } a déjà été envoyé.
    [share] Les résultats du sondage { $id } ont déjà été envoyés.
    [round] Ce tour a déjà été envoyé.
    [statements] Ce terrain d'entente a déjà été partagé.
   *[prompt] La question { $id } a déjà été envoyée.
}
fac-draft-expired = L'aperçu a expiré après { $minutes } minutes et rien n'a été envoyé : renvoyez la commande.
fac-draft-cancelled = Annulé : rien n'a été envoyé.
fac-draft-too-late = Son heure de clôture est passée : rien n'a été envoyé. Renvoyez la commande avec un --closes plus tardif.

# Envoyé.
fac-scheduled = { $kind ->
    [poll] Le sondage { $id } ouvrira à { $time }.
   *[prompt] La question { $id } ouvrira à { $time }.
}
fac-prompt-sent = { $count ->
    [0] La question { $id } est ouverte, mais personne n'est encore dans son public.
   *[other] Question { $id } envoyée à { $shown } participants.
}
fac-poll-sent = { $count ->
    [0] Le sondage { $id } est ouvert, mais personne n'est encore dans son public.
   *[other] Sondage { $id } envoyé à { $shown } participants.
}
fac-shared = { $count ->
    [0] Les résultats du sondage { $id } n'atteignent encore personne : son public est vide.
   *[other] Résultats du sondage { $id } envoyés à { $shown } participants.
}
fac-export-ready = Export de { $code } : { $rows ->
    [one] { $rows } ligne
   *[other] { $rows } lignes
}.

# La langue du facilitateur.
fac-lang-now = Ces réponses sont en { $language }. Langues : { $choices }.
fac-lang-unknown = "{ $value }" n'est pas une des langues : { $choices }.
fac-lang-set = Vos réponses sont maintenant en { $language }.
fac-lang-en = anglais
fac-lang-fr = français
fac-lang-es = espagnol

# Ce que reçoivent les participants.
prompt-reply-hint = Répondez à ce message.
share-header = Résultats du sondage { $id } : { $question } ({ $votes } votes)
share-too-few = Sondage { $id } : { $question } Moins de 5 personnes ont voté pour l'instant ; nous partagerons les résultats quand plus de personnes auront voté.
session-reminder = Rappel : { $title } a lieu le { $date }. Nous espérons vous entendre !

# Le tableau de bord web.
fac-web-link = Votre tableau de bord web, valable { $minutes } minutes et une fois : { $url }
fac-web-off = Déconnexion du tableau de bord web : { $count ->
    [one] { $count } session fermée.
   *[other] { $count } sessions fermées.
}
fac-web-usage = Écrivez /web pour un lien vers le tableau de bord web, ou /web off pour vous déconnecter partout.

# Délibération : des affirmations à approuver ou non.
fac-usage-statement = Écrivez : /statement en: A short sentence. | fr: Une phrase courte. | es: Una frase corta. (100 caractères au plus chacune)
fac-usage-statements = Écrivez /statements pour les propositions en attente, ou /statements report pour ce sur quoi les groupes s'accordent.
fac-usage-approve = Écrivez /approve 12 pour approuver la proposition 12, ou /approve 12 en: ... | es: ... pour ajouter des traductions.
fac-usage-reject = Écrivez /reject 12 pour rejeter la proposition 12.
fac-usage-round = Écrivez /round (ou /round --to GROUPE --count 5) : chaque participant reçoit jusqu'à 5 affirmations qu'il n'a pas encore votées. Un aperçu vient d'abord.
fac-statement-too-long = Le texte en { $language } a { $length } caractères : { $max } au plus, pour tenir en un SMS.
fac-statement-two-parts = Le texte en { $language } ne tiendrait pas en un SMS avec ses options : raccourcissez-le.
fac-statement-added = Affirmation { $id } ajoutée ({ $languages }). /round envoie des affirmations aux participants.
fac-statements-head = Affirmations : { $approved ->
    [one] { $approved } approuvée
   *[other] { $approved } approuvées
}, { $waiting ->
    [one] { $waiting } proposition en attente
   *[other] { $waiting } propositions en attente
}.
fac-statements-how = /approve { $id } (traductions : /approve { $id } en: ... | es: ...) ou /reject { $id }.
fac-no-statement = Il n'y a pas d'affirmation { $id } dans ce dialogue.
fac-approve-tag-languages = Donnez les traductions avec leur langue : /approve 12 en: ... | es: ...
fac-statement-approved = Affirmation { $id } approuvée ({ $languages }).
fac-statement-rejected = Affirmation { $id } rejetée : personne ne votera dessus.
fac-round-count = --count { $value } : donnez un nombre d'affirmations de 1 à { $max }.
fac-round-empty = Il n'y a pas encore d'affirmation approuvée : ajoutez-en une avec /statement, ou approuvez une proposition.
fac-round-sent = { $count ->
    [0] Le tour est ouvert, mais personne n'est encore dans son public.
   *[other] Tour envoyé : jusqu'à { $per } affirmations chacun à { $shown } participants.
}
fac-statements-shared = { $count ->
    [0] Personne n'est encore dans le dialogue : rien n'a été partagé.
   *[other] Le terrain d'entente a été partagé avec { $shown } participants.
}
fac-preview-round = Jusqu'à { $per } affirmations chacun, parmi { $approved } approuvées, les moins votées d'abord.
