/**
 * The yardstick of the server benchmark: the same framework, logging the same way, answering a
 * constant. What the reference server does beyond this is what its ratio measures.
 */
import Fastify from 'fastify'

const app = Fastify({ logger: true })
app.get('/bare', async () => ({ ok: true }))

app.listen({ host: '127.0.0.1', port: 0 }).then((address) => {
  console.log(`listening on ${address}`)
})
