# Activation script for nushell.
#
# Use it with "overlay use bin/activate.nu"; `deactivate` (an alias of
# "overlay hide activate") drops the overlay, which puts back every
# environment variable as it was. Running the file with `nu` cannot change
# the calling shell, so that is refused.
#
# Values written by venv are raw strings, r#'...'#, with more # signs than
# any run of them in the value, so nothing in them is ever interpreted.

export-env {
    let venv_dir = __VENV_DIR__
    let venv_prompt = __VENV_PROMPT__

    # Activating again, or another environment, within the same overlay
    # starts from the state saved by the first activation: one prefix, and
    # no bin directory of an earlier environment left in PATH. (A record,
    # which is never passed on to programs.)
    let saved = if '_VIRTUAL_ENV_SAVED' in $env {
        $env._VIRTUAL_ENV_SAVED
    } else {
        {
            path: ($env.PATH? | default [])
            has_prompt: ('PROMPT_COMMAND' in $env)
            prompt: ($env.PROMPT_COMMAND? | default null)
        }
    }
    $env._VIRTUAL_ENV_SAVED = $saved
    let base_prompt = $saved.prompt

    $env.VIRTUAL_ENV = $venv_dir
    # The bare prompt name (CPython 3.13 semantics), set even when the
    # prompt is left alone, for prompt themes to use.
    $env.VIRTUAL_ENV_PROMPT = $venv_prompt
    $env.PATH = ($saved.path | prepend ($venv_dir | path join __VENV_BIN_NAME__))
    hide-env -i PYTHONHOME

    let disabled = ($env.VIRTUAL_ENV_DISABLE_PROMPT? | default '' | into string)
    if ($disabled | is-empty) {
        # The name is inserted as data; a closure is called, a string shown.
        $env.PROMPT_COMMAND = {||
            let rest = if ($base_prompt | describe) == 'closure' {
                do $base_prompt
            } else if $base_prompt == null {
                ''
            } else {
                $base_prompt
            }
            $"\(($env.VIRTUAL_ENV_PROMPT? | default $venv_prompt)\) ($rest)"
        }
    } else if $saved.has_prompt {
        $env.PROMPT_COMMAND = $base_prompt
    } else {
        hide-env -i PROMPT_COMMAND
    }
}

export alias deactivate = overlay hide activate

# Reached only when the file is run as a program.
def main [] {
    print --stderr $"activate.nu: this script must be used with 'overlay use', not run: use 'overlay use ($env.CURRENT_FILE? | default 'activate.nu')'"
    exit 1
}
