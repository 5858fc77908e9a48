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
  phone_number: string | null
  created_at: number
  updated_at: number
}

export interface SessionsTable {
  token_hash: string
  user_id: string
  expires_at: number
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
