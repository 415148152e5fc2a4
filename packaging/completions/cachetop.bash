# cachetop.bash — bash completion for cachetop: sub-commands, their options, theme names from the
# installed themes directories, directories for the root options and files for --config.
# Self-contained (uses only COMP_WORDS/COMP_CWORD), so it also works without bash-completion.
# shellcheck shell=bash

_cachetop_themes()
{
	local bin dir f dirs=()
	bin=$(command -v cachetop 2>/dev/null)
	# The program looks for its data beside itself (<prefix>/bin/../share/cachetop).
	[[ -n $bin ]] && dirs+=("${bin%/*}/../share/cachetop/themes")
	dirs+=("${XDG_DATA_HOME:-$HOME/.local/share}/cachetop/themes")
	local IFS=:
	for dir in ${XDG_DATA_DIRS:-/usr/local/share:/usr/share}; do
		dirs+=("$dir/cachetop/themes")
	done
	unset IFS
	printf '%s\n' default mono
	for dir in "${dirs[@]}"; do
		for f in "$dir"/*.yaml; do
			[[ -f $f ]] || continue
			f=${f##*/}
			printf '%s\n' "${f%.yaml}"
		done
	done
}

_cachetop()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=""
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	local commands="report watch replay statusline status"
	local common="--claude-dir --codex-dir --gemini-dir --opencode-dir --config --theme --no-color --ascii --bell --since --now --no-state --max-frames --help --version -h -V"

	# The sub-command is the first word that is not an option or an option's argument.
	local i w cmd="" nargs=0
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--claude-dir | --codex-dir | --gemini-dir | --opencode-dir | --config | --theme | --since | --now | --max-frames | --speed)
			((i++)) ;;
		-*) ;;
		*)
			if [[ -z $cmd ]]; then
				cmd=$w
			else
				((nargs++))
			fi
			;;
		esac
	done

	case $prev in
	--claude-dir | --codex-dir | --gemini-dir | --opencode-dir)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return
		;;
	--config)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	--theme)
		# Names, and *.yaml files here; folders only once the word looks like a path.
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(
			compgen -W "$(_cachetop_themes | sort -u)" -- "$cur"
			compgen -f -X '!*.yaml' -- "$cur"
			[[ $cur == */* || $cur == .* || $cur == '~'* ]] && compgen -d -- "$cur"
		)
		return
		;;
	--since | --now | --max-frames | --speed)
		COMPREPLY=()
		return
		;;
	--openmetrics)
		# Its FILE is optional: offer files and the other options.
		if [[ $cur != -* ]]; then
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return
		fi
		;;
	esac

	local opts=$common
	case $cmd in
	report) opts="--json --csv --openmetrics $common" ;;
	watch) opts="--jsonl --backfill --final-report $common" ;;
	replay)
		opts="--speed $common"
		if [[ $cur != -* && $nargs -eq 0 ]]; then
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -d -- "$cur")
			return
		fi
		;;
	statusline | status) ;;
	"")
		if [[ $cur != -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
			return
		fi
		;;
	esac
	mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
}

complete -F _cachetop cachetop
