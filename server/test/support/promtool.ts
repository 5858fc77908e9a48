/** Prometheus' promtool, from Debian's prometheus package (.ci/services.sh up installs it). */
import { existsSync } from 'node:fs'

export const PROMTOOL = '/usr/bin/promtool'

export const promtoolMissing = existsSync(PROMTOOL)
  ? null
  : `${PROMTOOL} is not installed (apt-get install prometheus; .ci/services.sh up installs it)`
