"""A round as the domain sees it: questions, answers, grades, follow-ups, resuming, history and advice.

No terminal and no Textual here: ``interviewer.cli`` and ``interviewer.tui`` show a round, this package runs it.
"""
