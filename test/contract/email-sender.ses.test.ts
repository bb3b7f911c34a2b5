import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { expect, it } from 'vitest';
import { composeEmail } from '../../shared/adapters/mail/compose.js';
import { SesEmailSender } from '../../shared/adapters/ses/email.js';
import { emailSenderContract } from './email-sender.contract.js';

const ses = mockClient(SESv2Client);

emailSenderContract('SES v2 (raw content, SDK mocked)', async () => {
  ses.reset();
  ses.on(SendEmailCommand).callsFake(() => ({ MessageId: `ses-${ses.calls().length}` }));
  const sender = new SesEmailSender(new SESv2Client({ region: 'eu-west-1' }), 'accord-bounces');
  return {
    sender,
    delivered: async () =>
      ses.commandCalls(SendEmailCommand).map((c) => ({
        raw: Buffer.from(c.args[0].input.Content!.Raw!.Data!),
        to: c.args[0].input.Destination!.ToAddresses!,
      })),
  };
});

it('sends through the configuration set that records bounces, and keeps SES errors as send failures', async () => {
  ses.reset();
  ses.on(SendEmailCommand).rejectsOnce(new Error('Throttling')).resolves({ MessageId: 'm-1' });
  const sender = new SesEmailSender(new SESv2Client({ region: 'eu-west-1' }), 'accord-bounces');
  const mail = await composeEmail({
    id: 'ntf_x',
    from: { email: 'accord@accord.local' },
    to: [{ email: 'a@accord.local' }],
    subject: 's',
    text: 't',
    html: '<p>t</p>',
    date: '2026-03-02T09:30:00.000Z',
  });
  await expect(sender.send(mail)).rejects.toThrow('Throttling');
  expect(await sender.send(mail)).toEqual({ messageId: '<ntf_x@accord.local>', transportId: 'm-1' });
  expect(ses.commandCalls(SendEmailCommand)[1]!.args[0].input).toMatchObject({
    ConfigurationSetName: 'accord-bounces',
    FromEmailAddress: 'accord@accord.local',
  });
});
