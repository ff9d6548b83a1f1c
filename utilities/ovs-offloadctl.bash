# SPDX-License-Identifier: Apache-2.0
# Bash completion of ovs-offloadctl: commands and options as the program
# itself lists them (--commands, --options), so that this file never goes
# stale; tables, policies, and port and NIC names from the database.

# _ovs_offloadctl_db WORD...: prints the --db option found among WORDs.
_ovs_offloadctl_db() {
    local w
    for w in "$@"; do
        case $w in
            --db=*) echo "$w"; return ;;
        esac
    done
}

_ovs_offloadctl() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prog=${COMP_WORDS[0]}
    local cmd= nargs=0 i w words

    # The command being completed is the first word that is not an option
    # since the last "--"; count its arguments before the cursor.
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [ "$w" = -- ]; then
            cmd= nargs=0
        elif [ -z "$cmd" ] && [ "${w#-}" = "$w" ]; then
            cmd=$w
        elif [ -n "$cmd" ]; then
            nargs=$((nargs + 1))
        fi
    done

    if [ "${cur#-}" != "$cur" ] && [ -z "$cmd" ]; then
        # Global options, and the options of every command ("[--if-exists]").
        words=$("$prog" --options 2>/dev/null | sed -n 's/=ARG$/=/; /^--/p'
                "$prog" --commands 2>/dev/null \
                    | grep -o '\[--[a-z-]*=\{0,1\}\]' | tr -d '[]' | sort -u)
    elif [ -z "$cmd" ]; then
        words=$("$prog" --commands 2>/dev/null | cut -d, -f2)
    else
        local db
        db=$(_ovs_offloadctl_db "${COMP_WORDS[@]:1:COMP_CWORD-1}")
        case $cmd,$nargs in
            list,0|find,0|get,0|set,0|add,0|remove,0|clear,0|create,0|\
            destroy,0|wait-until,0)
                words="NIC Offload Port Summary" ;;
            set-policy,0)
                words="value first-come" ;;
            exclude-port,0|include-port,0|del-port,0)
                words=$("$prog" $db --timeout=2 list-ports 2>/dev/null) ;;
            nic-show,0)
                words=$("$prog" $db --timeout=2 list-nics 2>/dev/null) ;;
        esac
    fi
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    # An option that takes a value wants no space after its "=".
    if [ ${#COMPREPLY[@]} = 1 ] \
       && [ "${COMPREPLY[0]%=}" != "${COMPREPLY[0]}" ]; then
        compopt -o nospace 2>/dev/null
    fi
}

complete -F _ovs_offloadctl ovs-offloadctl
