# Telegram's menu of commands (setMyCommands): one line each, at most 256 characters.
menu-start = Join or resume the dialogue
menu-help = How to answer, and the commands
menu-language = Change language
menu-stop = Stop all messages
menu-mydata = See what we store about you
menu-delete = Erase your data
