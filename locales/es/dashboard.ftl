# El tablero de los facilitadores (/dashboard, baraza dashboard, el gráfico) y /answers.
# Lo leen los facilitadores en el chat o una terminal; nunca se envía por SMS a participantes.
dash-title = Tablero: { $title } ({ $code })
dash-totals = Inscritos { $joined } | con consentimiento { $consented } | activos 24 h { $active } | retirados { $stopped }
dash-finished = Terminado: { $flows }
dash-groups = Grupos de actores:
dash-groups-targets = Grupos de actores (presentes / esperados):
dash-below = Por debajo de la meta: { $groups }
dash-below-group = { $group }: { $have } de { $expected } esperados
dash-channels = Por canal: { $list }
dash-languages = Por idioma: { $list }
dash-waiting = Todavía en (dónde se detiene la gente):
dash-none = -
dash-pair = { $label }: { $value }
dash-percent = { $n } %
dash-group-unknown = Aún sin indicar
dash-channel-telegram = Telegram
dash-channel-sms = SMS
dash-channel-whatsapp = WhatsApp
dash-channel-console = Consola
dash-language-en = inglés
dash-language-fr = francés
dash-language-es = español
dash-said = Lo que dijo la gente
dash-answered = { $n ->
    [one] { $n } respuesta
   *[other] { $n } respuestas
}
dash-too-few = menos de 5: sin detalle
dash-median = mediana { $median }, mitad central de { $low } a { $high }
dash-median-hidden = mediana no mostrada (algunos valores tienen menos de 5 respuestas)
dash-open = { $n ->
    [one] { $n } respuesta
   *[other] { $n } respuestas
}
dash-quotes-hidden = se muestran a partir de 5 respuestas
dash-more-answers = leerlas: /answers { $id }
dash-items = Preguntas y encuestas (las más recientes primero):
dash-items-page = Preguntas y encuestas, página { $page } de { $pages } (las más recientes primero):
dash-items-more = Las { $total } están en las páginas web (/web).
dash-item = { $kind } { $id } «{ $question }»: { $answered ->
    [one] { $answered } respuesta
   *[other] { $answered } respuestas
} de { $reached }
dash-poll-groups = por grupo de actores (5 votantes o más):
dash-kind-poll = Encuesta
dash-kind-prompt = Pregunta
dash-broadcasts = Envíos masivos: { $list }
dash-status-queued = en espera
dash-status-sending = enviándose
dash-status-sent = enviados
dash-status-cancelled = cancelados
dash-status-failed = fallidos
dash-provider-telegram = Telegram
dash-provider-sms = SMS (Twilio)
dash-provider-whatsapp = WhatsApp (Twilio)
dash-undelivered = No entregados (rechazados o abandonados): { $list }
dash-outage = { $provider }: inalcanzable desde el { $since } ({ $waiting } mensajes en espera)
dash-chart-title = { $title }: quién está en la mesa
dash-chart-joined = inscritos (menos de 5: sin barra)
dash-chart-expected = esperados
dash-chart-poll = Encuesta { $id }: { $question } ({ $votes } votos)
dash-chart-votes = votos (menos de 5: sin barra)
dash-col-joined = inscritos
dash-col-consented = con consentimiento
dash-col-active_24h = activos 24 h
dash-col-stopped = retirados
dash-col-unreachable = inalcanzables
dash-col-group = grupo
dash-col-people = personas
dash-col-expected = esperados
dash-col-below = por debajo de la meta
dash-col-reach = Canales e idiomas
dash-col-flows = Recorridos
dash-col-finished = terminaron { $flow }
dash-col-still-at = todavía en { $flow } › { $step }
dash-col-question = pregunta
dash-col-answers = respuestas
answers-header = { $question } ({ $total } respuestas), página { $page } de { $pages }:
answers-too-few = { $question }: menos de 5 respuestas por ahora. Las respuestas se muestran a partir de 5, para que nadie pueda ser reconocido.
answers-none = { $question }: todavía no hay respuestas.
answers-past-end = { $question }: hay { $pages } páginas de respuestas.
answers-unknown = No hay pregunta abierta «{ $id }». Preguntas abiertas: { $ids }
answers-usage = Escriba /answers ID [página], por ejemplo /answers { $example } 2
dash-chart-statements = Afirmaciones: de acuerdo, en desacuerdo, paso
