// Issue 12, production connections: Temporal over TLS and mTLS. The local dev server speaks plaintext
// only, so the test puts a TLS terminator in front of it (node:tls, HTTP/2 by ALPN, passing the bytes
// to the dev server's port) with certificates made for the test; a real client (connectTemporal) and a
// real worker (connectWorkerTemporal) connect through it with the engine's configuration.
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { connect as tcpConnect, type AddressInfo } from 'node:net';
import { Worker } from '@temporalio/worker';
import { loadConfig, type Config } from '../../platform/config';
import { connectTemporal } from '../../platform/temporal';
import { connectWorkerTemporal } from '../../platform/temporal-worker';
import { temporalDataConverter } from '../../platform/payload-codec';
import { config, uniqueSuffix } from '../support/services';
import { TestPki, type Pem } from '../support/certificates';

const [devHost, devPort] = config.TEMPORAL_ADDRESS.split(':');

interface Terminator {
  address: string;
  /** Handshakes the terminator refused, with the reason it saw. */
  refused: string[];
  close(): Promise<void>;
}

/** A TLS front for the dev server; with `clientCa`, it asks for a client certificate signed by that CA. */
async function tlsTerminator(server: Pem, clientCa?: Pem): Promise<Terminator> {
  const refused: string[] = [];
  const sockets = new Set<TLSSocket>();
  const tls: Server = createServer(
    {
      cert: server.cert,
      key: server.key,
      ALPNProtocols: ['h2'],
      ...(clientCa ? { requestCert: true, rejectUnauthorized: true, ca: clientCa.cert } : {}),
    },
    (socket) => {
      sockets.add(socket);
      const upstream = tcpConnect(Number(devPort), devHost);
      socket.pipe(upstream).pipe(socket);
      const end = () => {
        sockets.delete(socket);
        socket.destroy();
        upstream.destroy();
      };
      socket.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    },
  );
  tls.on('tlsClientError', (err) => refused.push(err.message));
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(tls.address() as AddressInfo).port}`,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        tls.close(() => resolve());
      }),
  };
}

/** The engine's configuration for a cluster behind `front`, from the variables an operator would set. */
function clusterConfig(front: Terminator, tlsEnv: Record<string, string>): Config {
  return loadConfig({ ...process.env, TEMPORAL_ADDRESS: front.address, TEMPORAL_TLS: 'on', ...tlsEnv });
}

let pki: TestPki;
let ca: Pem;
let serverCert: Pem;
let clientCa: Pem;
let clientCert: Pem;
let strangerCa: Pem;
let strangerCert: Pem;
beforeAll(() => {
  pki = new TestPki();
  ca = pki.ca('temporal-ca');
  // Named for the cluster, not for 127.0.0.1: the client must verify against TEMPORAL_TLS_SERVER_NAME.
  serverCert = pki.leaf('temporal-frontend', ca, 'server', ['temporal.cluster.test']);
  clientCa = pki.ca('engine-clients-ca');
  clientCert = pki.leaf('partner-access-engine', clientCa, 'client');
  strangerCa = pki.ca('stranger-ca');
  strangerCert = pki.leaf('stranger', strangerCa, 'client');
});
afterAll(() => pki.remove());

/** Runs the probe workflow through the client and a worker, both over `cfg`'s connection. */
async function runProbeThrough(cfg: Config): Promise<{ result: string; namespace: string }> {
  const client = await connectTemporal(cfg);
  const connection = await connectWorkerTemporal(cfg);
  const taskQueue = `tls-${uniqueSuffix()}`;
  try {
    const worker = await Worker.create({
      connection,
      namespace: cfg.TEMPORAL_NAMESPACE,
      taskQueue,
      workflowsPath: require.resolve('../fixtures/tls-probe.workflows'),
      dataConverter: temporalDataConverter(cfg),
    });
    const result = await worker.runUntil(
      client.workflow.execute('tlsProbe', { taskQueue, workflowId: `tls-probe-${uniqueSuffix()}`, args: ['hello'] }),
    );
    const { namespaceInfo } = await client.workflowService.describeNamespace({ namespace: cfg.TEMPORAL_NAMESPACE });
    return { result, namespace: namespaceInfo!.name! };
  } finally {
    await client.connection.close();
    await connection.close();
  }
}

describe('issue 12 production connections: Temporal over TLS', () => {
  it('a client and a worker verify the server against the configured CA and name, and run a workflow', async () => {
    const front = await tlsTerminator(serverCert);
    try {
      const cfg = clusterConfig(front, {
        TEMPORAL_TLS_SERVER_CA: ca.certPath,
        TEMPORAL_TLS_SERVER_NAME: 'temporal.cluster.test',
      });
      await expect(runProbeThrough(cfg)).resolves.toEqual({
        result: 'hello, answered through TLS',
        namespace: config.TEMPORAL_NAMESPACE,
      });
    } finally {
      await front.close();
    }
  });

  it('a client that trusts another CA, or expects another name, refuses the server', async () => {
    const front = await tlsTerminator(serverCert);
    try {
      const untrusting = clusterConfig(front, {
        TEMPORAL_TLS_SERVER_CA: strangerCa.cert,
        TEMPORAL_TLS_SERVER_NAME: 'temporal.cluster.test',
      });
      const wrongCa =
        /^cannot connect to Temporal at 127\.0\.0\.1:\d+: TLS handshake failed: unable to verify the first certificate$/;
      await expect(connectTemporal(untrusting)).rejects.toThrow(wrongCa);
      await expect(connectWorkerTemporal(untrusting)).rejects.toThrow(wrongCa);
      const otherName = clusterConfig(front, {
        TEMPORAL_TLS_SERVER_CA: ca.cert,
        TEMPORAL_TLS_SERVER_NAME: 'temporal.elsewhere.test',
      });
      await expect(connectTemporal(otherName)).rejects.toThrow(
        /TLS handshake failed: Hostname\/IP does not match certificate's altnames: Host: temporal\.elsewhere\.test/,
      );
    } finally {
      await front.close();
    }
  });
});

describe('issue 12 production connections: Temporal over mTLS', () => {
  it("a client and a worker with the engine's client certificate are let in and run a workflow", async () => {
    const front = await tlsTerminator(serverCert, clientCa);
    try {
      const cfg = clusterConfig(front, {
        TEMPORAL_TLS_SERVER_CA: ca.cert,
        TEMPORAL_TLS_SERVER_NAME: 'temporal.cluster.test',
        TEMPORAL_TLS_CLIENT_CERT: clientCert.certPath,
        TEMPORAL_TLS_CLIENT_KEY: clientCert.keyPath,
      });
      await expect(runProbeThrough(cfg)).resolves.toEqual({
        result: 'hello, answered through TLS',
        namespace: config.TEMPORAL_NAMESPACE,
      });
      expect(front.refused).toEqual([]);
    } finally {
      await front.close();
    }
  });

  it('a client without a certificate, or with one from another CA, is refused by the server', async () => {
    const front = await tlsTerminator(serverCert, clientCa);
    try {
      const server = { TEMPORAL_TLS_SERVER_CA: ca.cert, TEMPORAL_TLS_SERVER_NAME: 'temporal.cluster.test' };
      const anonymous = clusterConfig(front, server);
      const noCertificate =
        /^cannot connect to Temporal at 127\.0\.0\.1:\d+: the server refused the TLS handshake: .*alert certificate required/;
      await expect(connectTemporal(anonymous)).rejects.toThrow(noCertificate);
      await expect(connectWorkerTemporal(anonymous)).rejects.toThrow(noCertificate);
      const stranger = clusterConfig(front, {
        ...server,
        TEMPORAL_TLS_CLIENT_CERT: strangerCert.cert,
        TEMPORAL_TLS_CLIENT_KEY: strangerCert.key,
      });
      // Node's TLS server refuses a certificate it cannot verify by hanging up, without an alert.
      await expect(connectTemporal(stranger)).rejects.toThrow(
        /^cannot connect to Temporal at 127\.0\.0\.1:\d+: the server ended the connection right after the TLS handshake; it may not accept the client certificate$/,
      );
      expect(front.refused).toEqual(
        expect.arrayContaining([expect.stringMatching(/peer did not return a certificate/)]),
      );
    } finally {
      await front.close();
    }
  });
});
