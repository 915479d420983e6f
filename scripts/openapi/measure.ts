import { auditService } from '@verwijsindex/audit-service'
import { matchService } from '@verwijsindex/match-service'
import { notifyService } from '@verwijsindex/notify-service'
import { describeService } from '@verwijsindex/shared'
import { checkContract, summarise } from './check.js'

for (const definition of [matchService, notifyService, auditService]) {
  const report = await checkContract(await describeService(definition as never))
  console.log(summarise(definition.name, report))
  if (process.argv.includes('--verbose')) console.log(JSON.stringify(report, null, 2))
}
