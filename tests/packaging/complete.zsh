#!/bin/zsh -f
# complete.zsh — drives zsh's completion system on a pseudo-terminal (zsh/zpty): loads the
# completion functions in folder $1 with compinit, types the command line $2 followed by Tab, and
# prints every candidate the completion offered (captured by wrapping compadd), one per line.
# Exits 4 when the completion did not finish within 20 seconds.
zmodload zsh/zpty || exit 3
zpty z zsh -f -i
zpty -w z "PROMPT= RPROMPT= ; fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'comppostfuncs=( _cap_end ); _cap_end() { compstate[insert]=""; compstate[list]=""; print -n "<<""END>>" }'
# The markers are built at run time ("<<""…") so that the terminal's echo of these lines is no match.
zpty -w z 'compadd() { local -a __x; builtin compadd -O __x "$@"; local c; for c in $__x; do print -n "<<""CAND:$c>>"; done; builtin compadd "$@" }'
zpty -w z 'bindkey "^I" complete-word'
zpty -w z "$2"$'\t'
out=""
integer tries=0 done=0
while (( tries++ < 1000 )); do
  zpty -r -t z chunk && out+=$chunk
  if [[ $out == *'<<END>>'* ]]; then done=1; break; fi
  sleep 0.02
done
zpty -d z
(( done )) || exit 4
print -r -- "$out" | grep -ao '<<CAND:[^>]*>>' | sed 's|^<<CAND:||; s|>>$||'
exit 0
