# Textos del motor (palabras clave, repreguntas), comunes a todos los flujos.
yes = Sí
no = No
language-en = English
language-fr = Français
language-es = Español
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
welcome-back = ¡Bienvenido de nuevo! Aquí nos quedamos:
all-done = Ya respondió todo, ¡gracias! Compartiremos los resultados. Envíe AYUDA para ver opciones.
question-closed = Esa pregunta está cerrada. Por favor, responda la última.
mydata = Guardamos: su identificador { $id }, idioma { $language }, consentimiento { $consent }, perfil { $profile }, { $answers } respuestas. Su número se guarda aparte y nunca se exporta.
delete-confirm = ¿Borrar todas sus respuestas y su perfil? Responda SÍ para confirmar, otra cosa para cancelar.
deleted = Sus datos han sido borrados. Gracias por participar.
delete-cancelled = No se borró nada.
unknown-dialogue = No conocemos un diálogo llamado "{ $code }". Verifique el código.
