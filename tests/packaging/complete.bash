#!/bin/bash
# complete.bash — drives the bash completion function the way readline would: loads the
# completion file given as $1, completes the command line made of the remaining words (the last
# one being the word under the cursor) and prints the candidates, one per line.
set -u
# shellcheck source=/dev/null
source "$1" || exit 3
shift
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
_cachetop cachetop "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]:-}" || exit 4
((${#COMPREPLY[@]})) && printf '%s\n' "${COMPREPLY[@]}"
exit 0
