# Le tableau de bord des facilitateurs (/dashboard, baraza dashboard, le graphique) et /answers.
# Lu par les facilitateurs dans le chat ou un terminal, jamais envoyé aux participants par SMS.
dash-title = Tableau de bord : { $title } ({ $code })
dash-totals = Inscrits { $joined } | consentants { $consented } | actifs 24 h { $active } | arrêtés { $stopped }
dash-finished = Terminé : { $flows }
dash-groups = Groupes de parties prenantes :
dash-groups-targets = Groupes de parties prenantes (présents / attendus) :
dash-below = Sous l'objectif : { $groups }
dash-below-group = { $group } : { $have } sur { $expected } attendus
dash-channels = Par canal : { $list }
dash-languages = Par langue : { $list }
dash-waiting = Encore à (où les gens s'arrêtent) :
dash-none = -
dash-pair = { $label } : { $value }
dash-percent = { $n } %
dash-group-unknown = Pas encore indiqué
dash-channel-telegram = Telegram
dash-channel-sms = SMS
dash-channel-whatsapp = WhatsApp
dash-channel-console = Console
dash-language-en = anglais
dash-language-fr = français
dash-language-es = espagnol
dash-said = Ce que les gens ont dit
dash-answered = { $n ->
    [one] { $n } réponse
   *[other] { $n } réponses
}
dash-too-few = moins de 5 : pas de détail
dash-median = médiane { $median }, moitié centrale de { $low } à { $high }
dash-median-hidden = médiane non affichée (certaines valeurs ont moins de 5 réponses)
dash-open = { $n ->
    [one] { $n } réponse
   *[other] { $n } réponses
}
dash-quotes-hidden = affichées à partir de 5 réponses
dash-more-answers = les lire : /answers { $id }
dash-items = Questions et sondages (les plus récents d'abord) :
dash-items-page = Questions et sondages, page { $page } sur { $pages } (les plus récents d'abord) :
dash-items-more = Les { $total } sont sur les pages web (/web).
dash-item = { $kind } { $id } « { $question } » : { $answered ->
    [one] { $answered } réponse
   *[other] { $answered } réponses
} sur { $reached }
dash-poll-groups = par groupe de parties prenantes (5 votants ou plus) :
dash-kind-poll = Sondage
dash-kind-prompt = Question
dash-broadcasts = Envois groupés : { $list }
dash-status-queued = en attente
dash-status-sending = en cours
dash-status-sent = envoyés
dash-status-cancelled = annulés
dash-status-failed = échoués
dash-provider-telegram = Telegram
dash-provider-sms = SMS (Twilio)
dash-provider-whatsapp = WhatsApp (Twilio)
dash-undelivered = Non remis (refusés ou abandonnés) : { $list }
dash-outage = { $provider } : injoignable depuis le { $since } ({ $waiting } messages en attente)
dash-chart-title = { $title } : qui est à la table
dash-chart-joined = inscrits (moins de 5 : non dessiné)
dash-chart-expected = attendus
dash-chart-poll = Sondage { $id } : { $question } ({ $votes } votes)
dash-chart-votes = votes (moins de 5 : non dessiné)
dash-col-joined = inscrits
dash-col-consented = consentants
dash-col-active_24h = actifs 24 h
dash-col-stopped = arrêtés
dash-col-unreachable = injoignables
dash-col-group = groupe
dash-col-people = personnes
dash-col-expected = attendus
dash-col-below = sous l'objectif
dash-col-reach = Canaux et langues
dash-col-flows = Parcours
dash-col-finished = ont terminé { $flow }
dash-col-still-at = encore à { $flow } › { $step }
dash-col-question = question
dash-col-answers = réponses
answers-header = { $question } ({ $total } réponses), page { $page } sur { $pages } :
answers-too-few = { $question } : moins de 5 réponses pour l'instant. Les réponses s'affichent à partir de 5, pour que personne ne puisse être reconnu.
answers-none = { $question } : pas encore de réponse.
answers-past-end = { $question } : il y a { $pages } pages de réponses.
answers-unknown = Pas de question ouverte « { $id } ». Questions ouvertes : { $ids }
answers-usage = Écrivez /answers ID [page], par exemple /answers { $example } 2
dash-chart-statements = Affirmations : d'accord, pas d'accord, sans avis
