// Where the files shipped beside the code live: the project root, found from this module's own place.
import { fileURLToPath } from 'node:url';

/**
 * One level above this module: the repository (running src/ through tsx) or the installed
 * package (running the compiled dist/). demo/, etc/, bin/ and package.json sit there.
 */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
