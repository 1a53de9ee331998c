# Textos del motor (palabras clave, repreguntas), comunes a todos los flujos.
yes = Sí
no = No
choose-language = Language / Langue / Idioma:
language-set = De acuerdo, le escribiremos en español.
multi-hint = Responda con hasta { $max } números, p. ej. 1 3
scale-hint = ({ $min }={ $low }, { $max }={ $high })
reprompt-choice = Perdón, no entendí. Responda con un número del 1 al { $max }.
reprompt-multi = Perdón, no entendí. Responda con hasta { $max } números del 1 al { $count }, p. ej. 1 3.
reprompt-scale = Perdón, no entendí. Responda con un número del { $min } al { $max }.
reprompt-yesno = Perdón, no entendí. Responda 1 para Sí o 2 para No.
reprompt-text = Por favor, escriba su respuesta en pocas palabras.
reprompt-too-long = Es un poco largo ({ $length } caracteres). Use menos de { $max }, por favor.
offer-help = Envíe AYUDA si necesita ayuda.
help = Ayuda de Baraza: responda con el número de su opción. ALTO: dejar de recibir mensajes. START: volver. IDIOMA: cambiar de idioma. MISDATOS: lo que guardamos. BORRAR: eliminar sus datos.
stopped = No recibirá más mensajes. Envíe START para volver.
welcome-back = ¡Hola de nuevo! Aquí nos quedamos:
all-done = Ya respondió todo, ¡gracias! Compartiremos los resultados. Envíe AYUDA para ver opciones.
question-closed = Esa pregunta está cerrada. Por favor, responda la última.
mydata = Guardamos: su identificador { $id }, idioma { $language }, consentimiento { $consent }, perfil { $profile }, { $answers } respuestas. Su número se guarda aparte y nunca se exporta.
delete-confirm = ¿Borrar todas sus respuestas y su perfil? Responda SÍ para confirmar, otra cosa para cancelar.
deleted = Sus datos han sido borrados. Gracias por participar.
delete-cancelled = No se borró nada.
unknown-dialogue = No conocemos ese diálogo. Verifique el código.
prompt-thanks = Gracias, recibimos su respuesta.
vote-thanks = ¡Gracias! Su voto: { $choice }. Para cambiarlo antes del cierre, envíe ENCUESTA { $id }.
poll-closed = Esta encuesta está cerrada. Gracias de todos modos.

# La agenda: encuestas y preguntas de los facilitadores, una pregunta a la vez.
poll-head = Encuesta { $id }: { $question }
poll-your-vote = Su voto: { $choice }
poll-hint = Responda con un número del 1 al { $max }, o SALTAR.
prompt-head = Pregunta { $id } de los facilitadores: { $question }
prompt-hint = Responda en pocas palabras, o SALTAR.
back-to-question = Volvamos a donde estábamos:
skipped = De acuerdo, pregunta saltada.
skip-flow = SALTAR sirve para una encuesta o una pregunta de los facilitadores, no para esta.
poll-unknown = No hay una encuesta { $id } abierta para usted.
stopped-help = Usted dejó de recibir mensajes. Envíe START para volver, MISDATOS para ver lo que guardamos, BORRAR para borrarlo.
reprompt-too-many = Eligió { $count }. Elija { $max } como máximo.
profile-group = grupo
profile-age = edad
profile-gender = género
profile-area = lugar
greeting = ¡Hola!

# Deliberación: afirmaciones para estar de acuerdo o no, e ideas propuestas.
statement-head = Afirmación { $id }: { $text }
statement-untranslated = (Aún no traducida al { $language }.)
statement-your-vote = Su respuesta: { $choice }
statement-agree = De acuerdo
statement-disagree = En desacuerdo
statement-pass = Paso
statement-thanks = ¡Gracias! Su respuesta: { $choice }. Para cambiarla, envíe AFIRMACION { $id }.
statement-unknown = No hay una afirmación { $id } abierta para usted.
idea-ask = ¿Cuál es su idea? Escriba una frase corta (como máximo { $max } caracteres) con la que otros puedan estar de acuerdo o no.
idea-too-long = Escriba una frase corta de como máximo { $max } caracteres, por favor (la suya tiene { $length }).
idea-thanks = ¡Gracias! Los demás verán su idea cuando un facilitador la haya leído.
idea-consent-first = Por favor, responda primero a las primeras preguntas antes de proponer una idea.
propose-hint = Una frase corta, como máximo { $max } caracteres.
