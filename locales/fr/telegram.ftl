# Le menu des commandes de Telegram (setMyCommands) : une ligne chacune, 256 caractères au plus.
menu-start = Rejoindre ou reprendre le dialogue
menu-help = Comment répondre, et les commandes
menu-language = Changer de langue
menu-stop = Ne plus recevoir de messages
menu-mydata = Voir ce que nous gardons sur vous
menu-delete = Effacer vos données
