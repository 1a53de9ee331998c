# El menú de comandos de Telegram (setMyCommands): una línea cada uno, 256 caracteres como máximo.
menu-start = Unirse o retomar el diálogo
menu-help = Cómo responder, y los comandos
menu-language = Cambiar de idioma
menu-stop = Dejar de recibir mensajes
menu-mydata = Ver lo que guardamos sobre usted
menu-delete = Borrar sus datos
