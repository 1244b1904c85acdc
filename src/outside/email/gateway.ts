export interface OutgoingEmail { to: string; subject: string; text: string; inReplyTo?: string; references?: string[] }
export interface SentEmail { messageId: string; acceptedAt: string }
export interface ReceivedEmail { messageId: string; inReplyTo?: string; references: string[]; from: string; subject: string; text: string; receivedAt: string; uid: number }
export interface EmailGateway { send(mail: OutgoingEmail): Promise<SentEmail>; replies(threadIds: string[], afterUid: number): Promise<ReceivedEmail[]>; close(): Promise<void> }
