"""The commands, one module each, as ``consider`` offers them: thin functions over the stages.

``consider.cli`` parses the options, calls the command's function, prints what it gives back
and chooses the exit code; a command module returns values and raises ``ConsiderError``.
"""
