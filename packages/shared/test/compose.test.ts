import { createPrivateKey } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { envSchema } from '../src/config.js'

const root = new URL('../../../', import.meta.url)

describe('docker-compose.yml', () => {
  it('runs postgres, mailpit, a migration and the three services from one Dockerfile', async () => {
    const compose = parse(await readFile(new URL('docker-compose.yml', root), 'utf8'), { merge: true })
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining([
        'postgres',
        'mailpit',
        'migrate',
        'match-service',
        'notify-service',
        'audit-service',
      ]),
    )
    const ports: Record<string, string> = {
      'match-service': '3001',
      'notify-service': '3002',
      'audit-service': '3003',
      'web-console': '3000',
    }
    for (const [name, port] of Object.entries(ports)) {
      const service = compose.services[name]
      expect(service.build).toBe('.')
      expect(service.environment.SERVICE).toBe(name)
      expect(service.ports).toContain(`${port}:${port}`)
      expect(service.depends_on.migrate.condition).toBe('service_completed_successfully')
      // The environment each container gets must pass the same validation the service runs at start-up.
      expect(envSchema.safeParse(service.environment).success).toBe(true)
      // A fixed signing key: audit checkpoints stay verifiable across container restarts.
      expect(createPrivateKey(service.environment.AUDIT_SIGNING_KEY).asymmetricKeyType).toBe('ed25519')
    }
    const dockerfile = await readFile(new URL('Dockerfile', root), 'utf8')
    expect(dockerfile).toMatch(/^FROM node:24/m)
    // The container runs the compiled service, never TypeScript through tsx.
    const cmd = dockerfile.split('\n').find((line) => line.startsWith('CMD '))
    expect(cmd).toMatch(/node services\/\$\{SERVICE\}\/dist\/server\.js/)
    expect(dockerfile).not.toMatch(/tsx/)
  })
})
