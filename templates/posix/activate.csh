# Activation script for csh and tcsh.
#
# Use it with "source bin/activate.csh"; running it as a program cannot
# change the calling shell, so that is refused. `deactivate` undoes
# everything; `deactivate nondestructive` undoes it but keeps the alias.
#
# Values written by venv are single-quoted for csh, with each history
# character written as \! so that no history substitution happens. Saved
# values are copied as $name:q outside double quotes: csh drops a character
# from "$name:q" when the value holds a line break (a prompt may).

# Executed as a program, $0 names this file; sourced, it names the shell or
# the calling script (or is not set at all).
if ( $?0 ) then
    if ( "$0:t" == "activate.csh" ) then
        echo "activate.csh: this script must be sourced, not run: use 'source $0:q'" > /dev/stderr
        exit 1
    endif
endif

# One line, as aliases must be; \!:* are the words the alias is given. A
# one-line `if` substitutes variables in its command even when the test is
# false, hence the quoted `eval`s.
alias deactivate 'if ( $?_OLD_VIRTUAL_PATH ) eval '\''setenv PATH $_OLD_VIRTUAL_PATH:q'\''; unset _OLD_VIRTUAL_PATH; if ( $?_OLD_VIRTUAL_PYTHONHOME ) eval '\''setenv PYTHONHOME $_OLD_VIRTUAL_PYTHONHOME:q'\''; unset _OLD_VIRTUAL_PYTHONHOME; rehash; if ( $?_OLD_VIRTUAL_PROMPT ) eval '\''set prompt = $_OLD_VIRTUAL_PROMPT:q'\''; unset _OLD_VIRTUAL_PROMPT; unsetenv VIRTUAL_ENV; unsetenv VIRTUAL_ENV_PROMPT; if ( "\!:*" != "nondestructive" ) unalias deactivate'

# Undo any environment activated before this one, keeping the alias.
deactivate nondestructive

setenv VIRTUAL_ENV __VENV_DIR__
# The bare prompt name (CPython 3.13 semantics), set even when the prompt is
# left alone, for prompt themes to use.
setenv VIRTUAL_ENV_PROMPT __VENV_PROMPT__

if ( $?PATH ) then
    set _OLD_VIRTUAL_PATH = $PATH:q
    setenv PATH "$VIRTUAL_ENV:q"/__VENV_BIN_NAME__":$PATH:q"
else
    setenv PATH "$VIRTUAL_ENV:q"/__VENV_BIN_NAME__
endif

if ( $?PYTHONHOME ) then
    set _OLD_VIRTUAL_PYTHONHOME = $PYTHONHOME:q
    unsetenv PYTHONHOME
endif

# A shell that reads no commands from a terminal has no prompt to change.
set _venv_do_prompt = 1
if ( ! $?prompt ) set _venv_do_prompt = 0
if ( $?VIRTUAL_ENV_DISABLE_PROMPT ) then
    if ( $VIRTUAL_ENV_DISABLE_PROMPT:q != "" ) set _venv_do_prompt = 0
endif
if ( $_venv_do_prompt == 1 ) then
    set _OLD_VIRTUAL_PROMPT = $prompt:q
    if ( $?tcsh ) then
        # tcsh draws %$NAME as the variable's text, with no % or history
        # sequences decoded in it.
        set prompt = '(%$VIRTUAL_ENV_PROMPT) '$prompt:q
    else
        # csh decodes only the history character in a prompt: write each
        # one as \! (the awk program spells it in octal, as this file must
        # not contain it bare).
        set _venv_name = "`printenv VIRTUAL_ENV_PROMPT | awk -v r='\\\041' '{ gsub(/\041/, r); print }'`"
        set prompt = "($_venv_name:q) "$prompt:q
        unset _venv_name
    endif
endif
unset _venv_do_prompt

rehash
