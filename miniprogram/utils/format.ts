/** 13800138000 → 138****8000: enough for the user to recognise it, not enough to read it off a screen. */
export function maskPhone(phone: string): string {
  const digits = Array.from(phone)
  if (digits.length < 7) return phone
  const keepEnd = 4
  const keepStart = digits.length >= 11 ? 3 : 2
  const hidden = digits.length - keepStart - keepEnd
  return digits.slice(0, keepStart).join('') + '*'.repeat(hidden) + digits.slice(-keepEnd).join('')
}

/** An ISO time as the phone's clock reads it: 2026-01-02 09:30. */
export function formatTime(iso: string): string {
  const time = new Date(iso)
  const local = new Date(time.getTime() - time.getTimezoneOffset() * 60000)
  return local.toISOString().slice(0, 16).replace('T', ' ')
}
