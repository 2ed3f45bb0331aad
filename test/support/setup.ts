// Tests never talk to the network beyond loopback; a stray real TikTok call fails loudly.
process.env.NODE_ENV ??= 'test';
