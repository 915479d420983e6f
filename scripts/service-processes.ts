/**
 * `npm start` runs each service in a process of its own, as a deployment does: match-service's requests
 * do not queue behind notify-service's mail or the audit sealer on one event loop, and a crash in one
 * service does not take the others down. The supervisor restarts a process that exits unexpectedly (with
 * backoff, and says so), and on stop sends each one SIGTERM and waits for it to drain.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const say = (line: string) => process.stdout.write(`${line}\n`)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** How long a stopping service may drain before it is killed (its own grace period is 10 s). */
const STOP_GRACE_MS = 15_000

export class ServiceProcess {
  private child: ChildProcess | undefined
  private stopping = false
  private restarts = 0

  constructor(
    readonly name: string,
    private readonly port: number,
    private readonly host: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Starts the process and resolves once its /health/live answers. */
  async start(): Promise<void> {
    this.spawn()
    const url = `http://${this.host === '0.0.0.0' ? '127.0.0.1' : this.host}:${this.port}/health/live`
    for (let waited = 0; waited < 120_000; waited += 200) {
      if (this.restarts > 0) {
        this.stopping = true
        throw new Error(`${this.name} exited while starting`)
      }
      const live = await fetch(url, { signal: AbortSignal.timeout(1000) }).catch(() => undefined)
      if (live?.ok) return
      await sleep(200)
    }
    throw new Error(`${this.name} did not answer on ${url} within 120 s`)
  }

  private spawn(): void {
    // The same loader and conditions as this process (tsx and the `source` export condition).
    const child = spawn(
      process.execPath,
      [...process.execArgv, path.join(ROOT, 'services', this.name, 'src', 'server.ts')],
      {
        env: this.env,
        // An IPC channel only so the service notices when the supervisor is gone (and stops itself), and
        // a process group of its own so a terminal's Ctrl-C reaches the supervisor, which stops it once.
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        detached: true,
      },
    )
    this.child = child
    child.on('exit', (code, signal) => {
      if (this.stopping) return
      const delay = Math.min(30_000, 1000 * 2 ** Math.min(this.restarts, 5))
      this.restarts++
      say(`${this.name} exited unexpectedly (${signal ?? `code ${code}`}); restarting in ${delay / 1000} s`)
      setTimeout(() => {
        if (!this.stopping) this.spawn()
      }, delay).unref()
    })
  }

  /** SIGTERM, then waits for the drain; SIGKILL after STOP_GRACE_MS. */
  async stop(): Promise<void> {
    this.stopping = true
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
    await exited
    clearTimeout(timer)
  }
}
