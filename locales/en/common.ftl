# Texts of the engine itself (keywords, re-prompts), shared by every flow.
# Kept GSM-7: no typographic quotes or dashes (an SMS would fall to 70 characters).
yes = Yes
no = No
choose-language = Language / Langue / Idioma:
language-set = OK, we will write to you in English.
multi-hint = Reply with up to { $max } numbers, e.g. 1 3
scale-hint = ({ $min }={ $low }, { $max }={ $high })
reprompt-choice = Sorry, I did not understand. Please reply with a number from 1 to { $max }.
reprompt-multi = Sorry, I did not understand. Reply with up to { $max } numbers from 1 to { $count }, e.g. 1 3.
reprompt-scale = Sorry, I did not understand. Please reply with a number from { $min } to { $max }.
reprompt-yesno = Sorry, I did not understand. Please reply 1 for Yes or 2 for No.
reprompt-text = Please write your answer in a few words.
reprompt-too-long = That is a bit long ({ $length } characters). Please keep it under { $max }.
offer-help = Reply HELP if you need help.
help = Baraza help: answer with the number of your choice. STOP: stop all messages. START: come back. LANG: change language. MYDATA: what we store. DELETE: erase your data.
stopped = You will not get any more messages. Send START to come back.
welcome-back = Welcome back! Here is where we were:
all-done = You have answered everything, thank you! We will share the results. Send HELP for options.
question-closed = That question is closed. Please answer the latest one.
mydata = We store: your id { $id }, language { $language }, consent { $consent }, profile { $profile }, { $answers } answers. Your phone number is kept apart and never exported.
delete-confirm = Delete all your answers and profile? Reply YES to confirm, anything else to cancel.
deleted = Your data has been deleted. Thank you for taking part.
delete-cancelled = Nothing was deleted.
unknown-dialogue = We do not know that dialogue. Please check the code.
prompt-thanks = Thank you, your answer was received.
vote-thanks = Thank you! Your vote: { $choice }. To change it before the poll closes, send POLL { $id }.
poll-closed = This poll is closed. Thank you all the same.

# The agenda: prompts and polls from the facilitators, one question at a time.
poll-head = Poll { $id }: { $question }
poll-your-vote = Your vote: { $choice }
poll-hint = Reply with a number from 1 to { $max }, or SKIP.
prompt-head = Question { $id } from the facilitators: { $question }
prompt-hint = Reply in a few words, or SKIP.
back-to-question = Back to where we were:
skipped = OK, skipped.
skip-flow = SKIP passes a poll or a question from the facilitators, not this one.
poll-unknown = There is no open poll { $id } for you.
stopped-help = You have stopped all messages. Send START to come back, MYDATA to see what we store, DELETE to erase it.
reprompt-too-many = You chose { $count }. Please choose at most { $max }.
profile-group = group
profile-age = age
profile-gender = gender
profile-area = area
greeting = Hello!

# Deliberation: statements to agree or disagree with, and ideas people propose.
statement-head = Statement { $id }: { $text }
statement-untranslated = (Not yet translated into { $language }.)
statement-your-vote = Your answer: { $choice }
statement-agree = Agree
statement-disagree = Disagree
statement-pass = Pass
statement-thanks = Thank you! You said: { $choice }. To change it, send STATEMENT { $id }.
statement-unknown = There is no open statement { $id } for you.
idea-ask = What is your idea? Write one short sentence (at most { $max } characters) that others can agree or disagree with.
idea-too-long = Please write one short sentence of at most { $max } characters (yours has { $length }).
idea-thanks = Thank you! Others will see your idea once a facilitator has read it.
idea-consent-first = Please answer the first questions before you share an idea.
propose-hint = One short sentence, at most { $max } characters.
