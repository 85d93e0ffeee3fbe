// The bcrypt comparisons' own threads (auth/password-checks.ts), run below the requests' CPU priority.
import { setPriority } from 'node:os';
import bcrypt from 'bcrypt';
import { workerData } from 'piscina';

// On Linux a nice value belongs to a thread (setpriority(2), NOTES): this lowers this worker only.
try {
  setPriority(workerData.niceness);
} catch {
  // Not allowed here: the comparisons run at normal priority, still off the event loop.
}

/** True when password matches hash; the hash is already checked and normalised by the caller. */
export default function compare({ password, hash }) {
  return bcrypt.compareSync(password, hash);
}
