// Throw-away certificate authorities and certificates for the TLS tests, made with the openssl CLI
// (offline, in a temporary folder): a CA, and leaf certificates it signs for a server or a client.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'pa-pki-'));
  private serial = 1;

  private openssl(args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  }

  private pem(name: string): Pem {
    const certPath = join(this.dir, `${name}.crt`);
    const keyPath = join(this.dir, `${name}.key`);
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath, keyPath };
  }

  /** A self-signed certificate authority. */
  ca(name: string): Pem {
    this.openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return this.pem(name);
  }

  /** A leaf certificate signed by `ca`: for a server (with its names) or a client. */
  leaf(name: string, ca: Pem, use: 'server' | 'client', names: string[] = []): Pem {
    this.openssl([
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    ]);
    const san = names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    const ext = [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage=${use === 'server' ? 'serverAuth' : 'clientAuth'}`,
      ...(san ? [`subjectAltName=${san}`] : []),
    ].join('\n');
    writeFileSync(join(this.dir, `${name}.ext`), ext);
    this.openssl([
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      ca.certPath,
      '-CAkey',
      ca.keyPath,
      '-set_serial',
      String(this.serial++),
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ]);
    return this.pem(name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
