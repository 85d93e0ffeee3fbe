// The default data directory: ./data in a checkout; $XDG_DATA_HOME/thalamus or ~/.local/share/thalamus when installed.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { defaultDataDir, RUNS_FROM_CHECKOUT } from '../../src/data-dir.ts';

test('a checkout keeps ./data; an installed command uses XDG_DATA_HOME when absolute, else ~/.local/share', () => {
  assert.equal(RUNS_FROM_CHECKOUT, true);
  assert.equal(defaultDataDir({ XDG_DATA_HOME: '/srv/xdg', HOME: '/home/ana' }), resolve('./data'));
  assert.equal(defaultDataDir({ XDG_DATA_HOME: '/srv/xdg', HOME: '/home/ana' }, false), '/srv/xdg/thalamus');
  assert.equal(defaultDataDir({ HOME: '/home/ana' }, false), '/home/ana/.local/share/thalamus');
  assert.equal(defaultDataDir({ XDG_DATA_HOME: 'relative/xdg', HOME: '/home/ana' }, false), '/home/ana/.local/share/thalamus');
});
