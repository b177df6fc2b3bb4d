import {
  connectParams,
  createDevice,
  type Frame,
  handshake,
  RawPeer,
  type Started,
  startGateway,
  TOKEN,
} from "../../packages/gateway/src/__tests__/helpers.js";

export { createDevice, type Frame, handshake, RawPeer, type Started, startGateway, TOKEN };

export type Device = ReturnType<typeof createDevice>;

/**
 * Pair `device` through the shared token on loopback (auto-approved) for `scopes`, and return
 * the device token hello-ok hands out.
 */
export async function pairDevice(url: string, device: Device, scopes: string[]): Promise<string> {
  const { peer, res } = await handshake(url, { scopes }, (nonce) =>
    device.proof(nonce, { scopes, token: TOKEN }),
  );
  if (!res.ok) throw new Error(`pairing failed: ${JSON.stringify(res.error)}`);
  peer.close();
  await peer.closed;
  return res.payload.auth.deviceToken as string;
}

/** Connect with a device token only (no shared secret). */
export async function connectWithDeviceToken(
  url: string,
  deviceToken: string,
  scopes: string[],
): Promise<{ peer: RawPeer; res: Frame }> {
  const { peer, res } = await handshake(url, { scopes, auth: { deviceToken } });
  return { peer, res };
}

/** Open a socket from a chosen source address (e.g. 127.0.0.23), take the challenge, send connect. */
export async function handshakeFrom(
  url: string,
  localAddress: string,
  overrides: Record<string, unknown> = {},
): Promise<{ peer: RawPeer; res: Frame }> {
  const peer = new RawPeer(url, {}, { localAddress });
  await peer.opened;
  await peer.event("connect.challenge");
  const res = await peer.request("connect", connectParams(overrides));
  return { peer, res };
}
