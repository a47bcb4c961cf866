// Meltano runs a Singer tap as one executable with Singer's flags (--config, --catalog, --state,
// --discover): `tap-stripe-source` is `stripe-source singer`, installed as its own bin.
process.argv.splice(2, 0, 'singer');
await import('./main.js');
