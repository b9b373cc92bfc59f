#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// npm-send.js: send N messages with node-hl7-client (an MLLP client from the npm registry) and print each ACK.
//
//   NODE_PATH=build/npm/node_modules node tests/tools/npm-send.js HOST PORT N [PREFIX]
//
// Builds N ADT^A01 messages with the library's own builder (MSH-10 PREFIX1 ...
// PREFIXN), sends them one at a time over one connection, waits for each ACK,
// which the library parses, and prints "MSA-1 MSA-2" for each on stdout.
// Exit 0 when N ACKs came back, 1 otherwise (the reason on stderr); it gives
// up after 20 seconds.
'use strict';

const { Client, Message } = require('node-hl7-client');

const [host, portText, countText, prefix = 'NPM'] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
if (!host || !Number.isInteger(port) || !Number.isInteger(count) || count < 1) {
	process.stderr.write('usage: npm-send.js HOST PORT N [PREFIX]\n');
	process.exit(64);
}

function build(id) {
	const m = new Message({ messageHeader: { msh_9_1: 'ADT', msh_9_2: 'A01', msh_9_3: 'ADT_A01', msh_10: id, msh_11_1: 'P' } });
	m.set('MSH.3', 'NPMAPP');
	m.set('MSH.4', 'NPMFAC');
	m.set('MSH.5', 'MLLPD');
	m.set('MSH.6', 'HOSP');
	const pid = m.addSegment('PID');
	pid.set('1', '1');
	pid.set('3.1', '12345');
	pid.set('5.1', 'DOE');
	pid.set('5.2', 'JANE');
	return m;
}

const timer = setTimeout(() => {
	process.stderr.write(`npm-send: timed out after 20 s (${received} of ${count} ACKs)\n`);
	process.exit(1);
}, 20000);

let received = 0;
let waiting = null; // resolves with the ACK of the message in flight

const client = new Client({ host, connectionTimeout: 0 });
const conn = client.createConnection({ port, maxConnectionAttempts: 1 }, (res) => {
	const ack = res.getMessage();
	received++;
	if (waiting) waiting(ack);
});
conn.on('client.error', (err) => {
	process.stderr.write(`npm-send: ${err && err.message ? err.message : err}\n`);
	process.exit(1);
});

conn.on('connect', async () => {
	for (let i = 1; i <= count; i++) {
		const acked = new Promise((resolve) => {
			waiting = resolve;
		});
		await conn.sendMessage(build(`${prefix}${i}`));
		const ack = await acked;
		process.stdout.write(`${ack.get('MSA.1').toString()} ${ack.get('MSA.2').toString()}\n`);
	}
	clearTimeout(timer);
	await conn.close();
	client.closeAll();
	process.exit(received === count ? 0 : 1);
});
