# Comandos de las personas facilitadoras (cada respuesta va en su idioma: /lang), y lo que
# reciben los participantes. Los números de personas llegan como $shown (la cifra, "<5" si
# es pequeña) con $count para elegir el plural.
fac-refused = Lo sentimos, este comando es solo para quienes facilitan el diálogo.
fac-not-participant = Usted facilita este diálogo: no participa en sus recorridos ni cuenta como participante.
fac-unknown-command = No existe el comando { $command }.
fac-try-again = No se pudo hacer en este momento: envíe el comando de nuevo, por favor.
fac-help =
    Comandos de facilitación para { $dialogues } (horas de { $zone }):
    /prompt Pregunta - una pregunta abierta a todos los participantes
    /poll Pregunta | Opción 1 | Opción 2 - una encuesta
    /share [ID] - enviar a todos los resultados de una encuesta
    Cada uno responde primero con una vista previa: /send la envía, /cancel la descarta.
    /close [ID] - cerrar una encuesta; /results [ID] - sus votos hasta ahora
    /dashboard - quién participa; /export - las respuestas en CSV; /web - el panel web
    /statement, /statements, /approve, /reject, /round - afirmaciones para estar de acuerdo o no
    /lang en - el idioma de estas respuestas (en, fr, es)
    /help poll - más sobre un comando

# Cómo escribir cada comando, añadido bajo el motivo cuando se rechaza un comando.
fac-usage-help = /help lista los comandos; /help poll explica uno de ellos.
fac-usage-lang = Escriba /lang es para español, /lang fr para francés, /lang en para inglés.
fac-usage-prompt =
    Escriba: /prompt Su pregunta
    En varios idiomas: /prompt en: Question? | fr: Question ? | es: ¿Pregunta?
    Opciones: --to GRUPO (un grupo de actores), --opens 2h, --closes 24h, --urgent
    Ejemplo: /prompt --closes 2d ¿De qué hablar en la próxima sesión?
fac-usage-poll =
    Escriba: /poll Pregunta | Opción 1 | Opción 2 (de 2 a 10 opciones)
    En varios idiomas: /poll en: Q | A | B || es: P | A | B
    Opciones: --to GRUPO, --opens 2h, --closes 24h (desde ahora, como máximo 60 días), --urgent
    Ejemplo: /poll --closes 24h ¿Qué primero? | Agua | Caminos
fac-usage-share = Escriba /share para la última encuesta, o /share 3 para la encuesta 3. Primero verá una vista previa.
fac-usage-send = Escriba /send para enviar lo que acaba de ver en la vista previa (/cancel lo descarta).
fac-usage-cancel = Escriba /cancel para descartar la vista previa: no se envía nada.
fac-usage-close = Escriba /close para la última encuesta, o /close 3 para la encuesta 3.
fac-usage-results = Escriba /results para la última encuesta, o /results 3 para la encuesta 3.
fac-usage-dashboard = Escriba /dashboard (o /dashboard --dialogue CODIGO).
fac-usage-export = Escriba /export (o /export --dialogue CODIGO): las respuestas en un archivo CSV.
fac-usage-web = Escriba /web para recibir un enlace al panel web, o /web off para cerrar todas sus sesiones.

# Por qué se rechaza un comando.
fac-unknown-option = { $option } no es una opción de este comando.
fac-option-needs-value = { $option } necesita un valor.
fac-takes-no-text = { $command } no lleva nada después.
fac-bad-duration = "{ $value }" no es una duración: escriba 90m, 24h o 2d.
fac-opens-too-soon = --opens { $value } es demasiado pronto: al menos 1 minuto de antelación (sin --opens se envía ya).
fac-too-far = { $option } { $value } es demasiado lejos: como máximo { $days } días.
fac-closes-before-opens = --closes { $closes } la cerraría antes de abrirse (--opens { $opens }): ambos cuentan desde ahora.
fac-closes-too-soon = --closes { $value } es demasiado pronto: queda abierta al menos { $minutes } minutos.
fac-mixed-languages = Indique un idioma (en:, fr:, es:) en cada parte, o en ninguna.
fac-language-twice = "{ $prefix }:" aparece dos veces.
fac-empty-language = Un idioma no tiene texto.
fac-poll-no-question = La encuesta no tiene pregunta.
fac-poll-one-option = { $count ->
    [0] Una encuesta necesita al menos 2 opciones; no dio ninguna.
    [one] Una encuesta necesita al menos 2 opciones; solo dio una.
   *[other] Una encuesta necesita al menos 2 opciones.
}
fac-too-many-options = Una encuesta tiene como máximo { $max } opciones; usted dio { $count }.
fac-duplicate-option = La opción "{ $option }" aparece dos veces.
fac-options-differ = Cada idioma debe dar el mismo número de opciones.
fac-not-a-number = "{ $value }" no es un número de encuesta.
fac-unknown-group = No existe el grupo "{ $group }". Grupos: { $groups }.
fac-unknown-dialogue = Usted no facilita un diálogo "{ $code }".
fac-no-poll-yet = { $dialogue } todavía no tiene encuestas.
fac-unknown-poll = No hay encuesta { $id } en { $dialogue }. { $count ->
    [0] Todavía no tiene encuestas.
   *[other] Sus encuestas: { $polls }.
}
fac-not-a-poll = { $id } es una pregunta, no una encuesta. { $count ->
    [0] { $dialogue } todavía no tiene encuestas.
   *[other] Encuestas de { $dialogue }: { $polls }.
}
fac-share-not-open = La encuesta { $id } todavía no se ha abierto (se abre a las { $time }): no hay resultados que compartir.

# Encuestas.
fac-closed = { $kind ->
    [poll] Encuesta { $id } cerrada: { $shown } { $count ->
        [one] voto
       *[other] votos
    }.
   *[prompt] Pregunta { $id } cerrada: { $shown } { $count ->
        [one] respuesta
       *[other] respuestas
    }.
}
fac-already-closed = { $kind ->
    [poll] La encuesta { $id } ya estaba cerrada ({ $time }): { $shown } { $count ->
        [one] voto
       *[other] votos
    }.
   *[prompt] La pregunta { $id } ya estaba cerrada ({ $time }): { $shown } { $count ->
        [one] respuesta
       *[other] respuestas
    }.
}
fac-cancelled-scheduled = { $kind ->
    [poll] La encuesta { $id } no se abrirá: cancelada.
   *[prompt] La pregunta { $id } no se abrirá: cancelada.
}
fac-results = Encuesta { $id }: { $question } ({ $shown } { $count ->
    [one] voto
   *[other] votos
}, { $state })
fac-state-open = abierta
fac-state-open-until = abierta hasta las { $time }
fac-state-closed = cerrada
fac-state-scheduled = se abre a las { $time }

# Vistas previas: nada sale antes de /send.
fac-preview-head = { $kind ->
    [poll] Vista previa de su encuesta, todavía sin enviar:
    [share] Vista previa de los resultados que compartiría, todavía sin enviar:
    [round] Vista previa de su ronda de afirmaciones, aún no enviada:
    [statements] Vista previa del terreno común que compartiría, aún no enviada:
   *[prompt] Vista previa de su pregunta, todavía sin enviar:
}
fac-preview-poll = Encuesta { $id }: { $question } ({ $shown } { $count ->
    [one] voto
   *[other] votos
})
fac-preview-too-few = Menos de { $least } votos: a los participantes solo se les dirá que los resultados llegarán cuando voten más personas.
fac-preview-still-open = La encuesta { $id } sigue abierta: estos son los resultados hasta ahora, y sigue abierta.
fac-preview-everyone = todos los participantes de { $dialogue }
fac-preview-group = el grupo { $group } ({ $code })
fac-preview-audience = { $count ->
    [0] Nadie lo recibiría todavía: no hay participantes que hayan dado su consentimiento en { $who }.
   *[other] Para { $who }: { $shown } participantes.
}
fac-preview-by = Por canal: { $channels }. Por idioma: { $languages }.
fac-preview-window = En WhatsApp, { $shown } { $count ->
    [one] persona no ha
   *[other] personas no han
} escrito en 24 horas: { $how ->
    [template] lo reciben como su plantilla aprobada.
   *[wait] espera a que vuelvan a escribir (WHATSAPP_TEMPLATE_SID permite enviar una plantilla).
}
fac-preview-fallback = No hay texto en { $language }: quienes leen en { $language } reciben el texto en { $fallback }.
fac-preview-sms = Partes de SMS por idioma: { $parts }
fac-preview-quiet = Ahora son horas de silencio ({ $start }-{ $end }, { $zone }): el envío esperará hasta las { $end }.
fac-preview-opens = Se abre a las { $time }.
fac-preview-closes = Se cierra a las { $time }.
fac-preview-urgent = Urgente: se muestra enseguida, incluso a quien está en medio de una pregunta.
fac-preview-replaces = Reemplaza su borrador anterior, que no se enviará.
fac-preview-how = { $buttons ->
    [true] Envíelo con /send o el botón Enviar, descártelo con /cancel.
   *[other] Envíelo con /send, descártelo con /cancel.
} Caduca en { $minutes } minutos, a las { $time }.
fac-button-send = Enviar
fac-button-cancel = Cancelar
fac-draft-old = Esa no es su última vista previa: no se envió nada.
fac-no-draft = No hay nada que enviar ni cancelar: /prompt, /poll y /share hacen primero una vista previa.
fac-draft-was-sent = { $kind ->
    [poll] La encuesta { $id } ya se envió.
    [share] Los resultados de la encuesta { $id } ya se enviaron.
    [round] Esa ronda ya se envió.
    [statements] Ese terreno común ya se compartió.
   *[prompt] La pregunta { $id } ya se envió.
}
fac-draft-expired = La vista previa caducó a los { $minutes } minutos y no se envió nada: envíe el comando de nuevo.
fac-draft-cancelled = Cancelado: no se envió nada.
fac-draft-too-late = Su hora de cierre ya llegó: no se envió nada. Envíe el comando de nuevo con un --closes más tardío.

# Enviado.
fac-scheduled = { $kind ->
    [poll] La encuesta { $id } se abrirá a las { $time }.
   *[prompt] La pregunta { $id } se abrirá a las { $time }.
}
fac-prompt-sent = { $count ->
    [0] La pregunta { $id } está abierta, pero todavía no hay nadie en su público.
   *[other] Pregunta { $id } enviada a { $shown } participantes.
}
fac-poll-sent = { $count ->
    [0] La encuesta { $id } está abierta, pero todavía no hay nadie en su público.
   *[other] Encuesta { $id } enviada a { $shown } participantes.
}
fac-shared = { $count ->
    [0] Los resultados de la encuesta { $id } todavía no llegan a nadie: su público está vacío.
   *[other] Resultados de la encuesta { $id } enviados a { $shown } participantes.
}
fac-export-ready = Exportación de { $code }: { $rows ->
    [one] { $rows } fila
   *[other] { $rows } filas
}.

# El idioma de quien facilita.
fac-lang-now = Estas respuestas están en { $language }. Idiomas: { $choices }.
fac-lang-unknown = "{ $value }" no es uno de los idiomas: { $choices }.
fac-lang-set = Sus respuestas están ahora en { $language }.
fac-lang-en = inglés
fac-lang-fr = francés
fac-lang-es = español

# Lo que reciben los participantes.
prompt-reply-hint = Responda a este mensaje.
share-header = Resultados de la encuesta { $id }: { $question } ({ $votes } votos)
share-too-few = Encuesta { $id }: { $question } Menos de 5 personas han votado por ahora; compartiremos los resultados cuando voten más.
session-reminder = Recordatorio: { $title } será el { $date }. ¡Esperamos su participación!

# El panel web.
fac-web-link = Su panel web, válido { $minutes } minutos y una sola vez: { $url }
fac-web-off = Sesiones del panel web cerradas: { $count }.
fac-web-usage = Escriba /web para recibir un enlace al panel web, o /web off para cerrar todas sus sesiones.

# Deliberación: afirmaciones para estar de acuerdo o no.
fac-usage-statement = Escriba: /statement en: A short sentence. | fr: Une phrase courte. | es: Una frase corta. (como máximo 100 caracteres cada una)
fac-usage-statements = Escriba /statements para las propuestas en espera, o /statements report para lo que los grupos comparten.
fac-usage-approve = Escriba /approve 12 para aprobar la propuesta 12, o /approve 12 en: ... | fr: ... para añadir traducciones.
fac-usage-reject = Escriba /reject 12 para rechazar la propuesta 12.
fac-usage-round = Escriba /round (o /round --to GRUPO --count 5): cada participante recibe hasta 5 afirmaciones que aún no votó. Primero llega una vista previa.
fac-statement-too-long = El texto en { $language } tiene { $length } caracteres: como máximo { $max }, para que quepa en un SMS.
fac-statement-two-parts = El texto en { $language } no cabría en un SMS con sus opciones: acórtelo.
fac-statement-added = Afirmación { $id } añadida ({ $languages }). /round envía afirmaciones a los participantes.
fac-statements-head = Afirmaciones: { $approved ->
    [one] { $approved } aprobada
   *[other] { $approved } aprobadas
}, { $waiting ->
    [one] { $waiting } propuesta en espera
   *[other] { $waiting } propuestas en espera
}.
fac-statements-how = /approve { $id } (traducciones: /approve { $id } en: ... | fr: ...) o /reject { $id }.
fac-no-statement = No hay una afirmación { $id } en este diálogo.
fac-approve-tag-languages = Dé las traducciones con su idioma: /approve 12 en: ... | fr: ...
fac-statement-approved = Afirmación { $id } aprobada ({ $languages }).
fac-statement-rejected = Afirmación { $id } rechazada: nadie votará sobre ella.
fac-round-count = --count { $value }: dé un número de afirmaciones del 1 al { $max }.
fac-round-empty = Aún no hay ninguna afirmación aprobada: añada una con /statement, o apruebe una propuesta.
fac-round-sent = { $count ->
    [0] La ronda está abierta, pero aún no hay nadie en su público.
   *[other] Ronda enviada: hasta { $per } afirmaciones cada uno a { $shown } participantes.
}
fac-statements-shared = { $count ->
    [0] Aún no hay nadie en el diálogo: no se compartió nada.
   *[other] El terreno común se compartió con { $shown } participantes.
}
fac-preview-round = Hasta { $per } afirmaciones cada uno, entre { $approved } aprobadas, las menos votadas primero.
