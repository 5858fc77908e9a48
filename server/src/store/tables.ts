/**
 * The tables as Kysely types them: one description for both engines. Times are epoch
 * milliseconds in 64-bit integer columns; avatars are bytes (BLOB in SQLite, bytea in PostgreSQL),
 * a Buffer on both sides.
 */
export interface UsersTable {
  id: string
  openid: string
  unionid: string | null
  session_key: string
  nick_name: string | null
  avatar: string | null
  /**
   * In clear: read by the release before 0002_expand_phone_encrypted, and written by one still
   * running during a rollout; this release writes only phone_encrypted and clears it (migrations.ts).
   */
  phone_number: string | null
  /** `<key id>:<AES-256-GCM sealed number>` (phone-cipher.ts). */
  phone_encrypted: string | null
  created_at: number
  updated_at: number
  /** Null for a user who has not logged in since 0003_expand_account_times. */
  last_login_at: number | null
}

export interface SessionsTable {
  token_hash: string
  user_id: string
  expires_at: number
  /** Null for a session opened by the release before 0003_expand_account_times. */
  created_at: number | null
}

export interface AvatarsTable {
  file: string
  user_id: string
  content_type: string
  data: Buffer
}

export interface Tables {
  users: UsersTable
  sessions: SessionsTable
  avatars: AvatarsTable
}
