# Activation script for fish.
#
# Use it with "source bin/activate.fish"; running it as a program cannot
# change the calling shell, so that is refused. `deactivate` undoes
# everything; `deactivate nondestructive` undoes it but keeps the function.
#
# Values written by venv are single-quoted for fish, where \\ and \' are the
# only escapes. Builtins are called through `builtin` so that user functions
# named printf, set_color, functions and the like cannot change what runs.

# Run as a program, this file is the bottom of the call stack, which is then
# empty; sourced, the stack says where from. (Read through a pipe: inside a
# command substitution the stack would hold that substitution too.)
if not builtin status stack-trace | builtin read -l -z _venv_caller
    builtin printf '%s\n' "activate.fish: this script must be sourced, not run: use 'source "(builtin status filename)"'" >&2
    exit 1
end
builtin set -e _venv_caller

function deactivate --description 'Leave the Python virtual environment'
    if builtin set -q _OLD_VIRTUAL_PATH
        builtin set -gx PATH $_OLD_VIRTUAL_PATH
        builtin set -e _OLD_VIRTUAL_PATH
    end
    if builtin set -q _OLD_VIRTUAL_PYTHONHOME
        builtin set -gx PYTHONHOME $_OLD_VIRTUAL_PYTHONHOME
        builtin set -e _OLD_VIRTUAL_PYTHONHOME
    end

    if builtin set -q _OLD_FISH_PROMPT_OVERRIDE
        builtin set -e _OLD_FISH_PROMPT_OVERRIDE
        # Put the user's prompt function back, or none if there was none.
        builtin functions -e fish_prompt
        if builtin functions -q _old_fish_prompt
            builtin functions -c _old_fish_prompt fish_prompt
            builtin functions -e _old_fish_prompt
        end
        builtin functions -e _venv_restore_status
    end

    builtin set -e VIRTUAL_ENV
    builtin set -e VIRTUAL_ENV_PROMPT

    if builtin test "$argv[1]" != nondestructive
        builtin functions -e deactivate
    end
    return 0
end

# Undo any environment activated before this one, keeping the function.
deactivate nondestructive

builtin set -gx VIRTUAL_ENV __VENV_DIR__
# The bare prompt name (CPython 3.13 semantics), set even when the prompt is
# left alone, for prompt themes to use.
builtin set -gx VIRTUAL_ENV_PROMPT __VENV_PROMPT__

builtin set -g _OLD_VIRTUAL_PATH $PATH
builtin set -gx PATH $VIRTUAL_ENV/__VENV_BIN_NAME__ $PATH

if builtin set -q PYTHONHOME
    builtin set -g _OLD_VIRTUAL_PYTHONHOME $PYTHONHOME
    builtin set -e PYTHONHOME
end

if builtin test -z "$VIRTUAL_ENV_DISABLE_PROMPT"
    builtin set -g _OLD_FISH_PROMPT_OVERRIDE $VIRTUAL_ENV
    # `functions -q` also loads the prompt from its file if it is not yet
    # loaded, so that it can be copied.
    if builtin functions -q fish_prompt
        builtin functions -c fish_prompt _old_fish_prompt
        builtin functions -e fish_prompt
    end

    # Calling this sets $status, so the old prompt sees the real one.
    function _venv_restore_status
        return $argv[1]
    end

    function fish_prompt --description 'Prompt with the virtual environment name'
        builtin set -l old_status $status
        builtin set -l color (builtin set_color 4B8BBE)
        builtin set -l normal (builtin set_color normal)
        # The name is printed as data, never evaluated.
        builtin printf '%s(%s)%s ' "$color" "$VIRTUAL_ENV_PROMPT" "$normal"
        if builtin functions -q _old_fish_prompt
            _venv_restore_status $old_status
            _old_fish_prompt
        end
    end
end
