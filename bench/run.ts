/** `npm run bench`: not yet. The registration and match benchmarks arrive with the matching issue. */
process.stdout.write('No benchmarks yet: they arrive with registrations and matching.\n')
