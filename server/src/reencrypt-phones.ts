import { ConfigError, loadConfig } from './config/config'
import { phoneKeyId } from './config/phone-keys'
import { developmentKeys } from './store/phone-cipher'
import { openStore } from './store'

// npm run reencrypt-phones (node server/dist/reencrypt-phones.js in production), with the
// server's own environment: every phone number encrypted again with PHONE_ENCRYPTION_KEY, those
// under a key of PHONE_ENCRYPTION_KEYS and those an instance of the previous release wrote in
// clear during a rollout. Safe while the instances serve: a row changed meanwhile is left as its
// writer left it. Exit 0 when done, 1 on bad configuration or a database it cannot open.

async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const keys = config.phoneKeys ?? developmentKeys(config.dataDir)
  const store = await openStore({ ...config, phoneKeys: keys }, console)
  try {
    const written = await store.reencryptPhones()
    console.log(`re-encrypted ${written} phone numbers with key ${phoneKeyId(keys.current)}`)
  } finally {
    await store.close()
  }
}

main().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError ? error.message : `cannot re-encrypt: ${(error as Error).message}`,
  )
  process.exitCode = 1
})
