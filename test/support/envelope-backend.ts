/**
 * A team's backend that answers in shapes of its own, as many do: HTTP 200 for everything, the
 * body `{ code, data, msg }` with code 0 for a success. Behind the envelope it is the contract
 * backend, so a test scripts it the same way and sees the same requests.
 */
import { ContractBackend, type Received, type Reply } from './contract-backend'

/** The team's codes for the contract's errors; anything else is its catch-all 50000. */
export const TEAM_CODES: Readonly<Record<string, number>> = {
  UNAUTHORIZED: 40101,
  WECHAT_CODE_INVALID: 40001,
  SESSION_KEY_STALE: 40901,
}

export class EnvelopeBackend extends ContractBackend {
  override async answer(
    request: Pick<Received, 'method' | 'path' | 'headers' | 'body'>,
  ): Promise<Reply> {
    const reply = await super.answer(request)
    if ('drop' in reply) return reply
    if (reply.status < 300)
      return { status: 200, body: { code: 0, data: reply.body ?? null, msg: 'ok' } }
    const { code, message } = (reply.body as { error: { code: string; message: string } }).error
    return { status: 200, body: { code: TEAM_CODES[code] ?? 50000, data: null, msg: message } }
  }
}
