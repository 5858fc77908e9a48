import { tablePrinter } from '../report'

// What the kit prints of the URLs it is given: a backend behind Basic auth is named without them.

it('names the backend and the emulator without the credentials in their URLs', () => {
  const lines: string[] = []
  tablePrinter((line) => lines.push(line), false).header(
    new URL('https://kit:s3cret-pw@backend.example.com/base'),
    new URL('http://user:other-pw@127.0.0.1:3100'),
  )
  expect(lines).toEqual([
    'Checking https://***@backend.example.com/base against docs/api.md',
    'WeChat: the emulator at http://***@127.0.0.1:3100/',
  ])
})
