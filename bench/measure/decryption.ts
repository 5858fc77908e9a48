import { createDecipheriv, randomBytes } from 'node:crypto'
import { decryptOpenData, encryptOpenData } from '../../common/open-data'
import { median } from '../stats'

// Decryption of the legacy phone payload against base64 decode + AES-128-CBC decipher +
// JSON.parse of the same payload.

export const DECRYPTION_ROUNDS = 5

/** Calls of `fn` per second over `ms` milliseconds. */
function opsPerSecond(fn: () => void, ms: number): number {
  const start = process.hrtime.bigint()
  let ops = 0
  while (process.hrtime.bigint() - start < BigInt(ms) * 1_000_000n) {
    for (let i = 0; i < 100; i++) fn()
    ops += 100
  }
  return ops / (Number(process.hrtime.bigint() - start) / 1e9)
}

/**
 * The two targets interleaved, in alternating order, DECRYPTION_ROUNDS rounds of 300 ms each: the medians of
 * each one's rate, and of the per-round ratios, so that a noisy moment weighs on both alike.
 */
export interface DecryptionResults {
  /** Decryptions per second. */
  ours: number
  bare: number
  /** The median of the per-round ratios. */
  ratio: number
}

export function decryption(): DecryptionResults {
  const sessionKey = randomBytes(16).toString('base64')
  const phone = { phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86' }
  const payload = encryptOpenData(
    { ...phone, watermark: { appid: 'wx0000000000000000', timestamp: 1 } },
    sessionKey,
  )
  const ours = () => decryptOpenData(sessionKey, payload.encryptedData, payload.iv)
  const bare = () => {
    const key = Buffer.from(sessionKey, 'base64')
    const iv = Buffer.from(payload.iv, 'base64')
    const decipher = createDecipheriv('aes-128-cbc', key, iv)
    const ciphertext = Buffer.from(payload.encryptedData, 'base64')
    JSON.parse(Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8'))
  }
  // Unmeasured, so that the JIT has seen both.
  opsPerSecond(ours, 100)
  opsPerSecond(bare, 100)
  const rounds = Array.from({ length: DECRYPTION_ROUNDS }, (_, round) => {
    if (round % 2 === 0) return { ours: opsPerSecond(ours, 300), bare: opsPerSecond(bare, 300) }
    const bareRate = opsPerSecond(bare, 300)
    return { ours: opsPerSecond(ours, 300), bare: bareRate }
  })
  return {
    ours: median(rounds.map((r) => r.ours)),
    bare: median(rounds.map((r) => r.bare)),
    ratio: median(rounds.map((r) => r.ours / r.bare)),
  }
}
