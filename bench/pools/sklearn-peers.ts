/**
 * The scikit-learn reference loops (bench/peers/sklearn-pool.py) as a small pool of Python processes fed one whole
 * campaign at a time over their line protocol. `setActive` says how many processes may work at once, so the caller
 * can leave a core to its own loop and hand both over when that loop is done. Each process is single-threaded
 * (BLAS/OpenMP threads pinned to 1), so one process is one core.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
const PEER = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'sklearn-pool.py');

/** One reference campaign to run. */
export interface PeerJob {
  X: number[][];
  y: number[];
  initial: number[];
  budget: number;
  strategy: 'ei' | 'lcb';
  restarts: number;
  seed: number;
}

/** What a reference campaign returns. */
export interface PeerResult {
  picks: number[];
  seconds: number;
}

/** Null if Debian's python3 can import scikit-learn and scipy, else why not. */
export function sklearnMissing(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import sklearn, scipy'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} could not be started (${probe.error.message})`;
  if (probe.status !== 0) return `${PYTHON} cannot import scikit-learn (${probe.stderr.trim().split('\n').pop()}); install it with apt-get install -y python3-sklearn`;
  return null;
}

interface Pending {
  id: string;
  line: string;
  resolve: (r: PeerResult) => void;
  reject: (e: Error) => void;
}

interface Worker {
  child: ChildProcessWithoutNullStreams;
  current: Pending | null;
  stderr: string;
}

/** A pool of reference processes with a job queue (see the file comment). */
export class SklearnPeers {
  private readonly queue: Pending[] = [];
  private readonly workers: Worker[] = [];
  private active = 1;
  private nextId = 0;

  /** Queues a campaign; resolves with its picks. */
  run(job: PeerJob): Promise<PeerResult> {
    const id = String(this.nextId++);
    return new Promise<PeerResult>((resolve, reject) => {
      this.queue.push({ id, line: JSON.stringify({ id, ...job }) + '\n', resolve, reject });
      this.dispatch();
    });
  }

  /** How many processes may work at once from now on. */
  setActive(count: number): void {
    this.active = Math.max(1, count);
    this.dispatch();
  }

  /** Ends every process (after their current job is answered or abandoned). */
  close(): void {
    for (const w of this.workers) w.child.stdin.end();
  }

  /** Hands queued jobs to idle processes, starting processes up to the active count. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      const busy = this.workers.filter((w) => w.current !== null).length;
      if (busy >= this.active) return;
      const idle = this.workers.find((w) => w.current === null) ?? (this.workers.length < this.active ? this.start() : undefined);
      if (!idle) return;
      const job = this.queue.shift()!;
      idle.current = job;
      idle.child.stdin.write(job.line);
    }
  }

  /** Starts one reference process. */
  private start(): Worker {
    const child = spawn(PYTHON, [PEER], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    });
    const worker: Worker = { child, current: null, stderr: '' };
    child.stderr.on('data', (chunk: Buffer) => { worker.stderr = (worker.stderr + chunk.toString()).slice(-4000); });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const answer = JSON.parse(line) as PeerResult & { id: string };
      const job = worker.current;
      worker.current = null;
      if (job && job.id === answer.id) job.resolve({ picks: answer.picks, seconds: answer.seconds });
      else job?.reject(new Error(`reference peer answered job ${answer.id}, expected ${job.id}`));
      this.dispatch();
    });
    child.on('exit', (code) => {
      const index = this.workers.indexOf(worker);
      if (index >= 0) this.workers.splice(index, 1);
      if (worker.current) {
        worker.current.reject(new Error(`reference peer exited (${code}): ${worker.stderr.trim().split('\n').slice(-3).join(' | ')}`));
        worker.current = null;
      }
      this.dispatch();
    });
    this.workers.push(worker);
    return worker;
  }
}
