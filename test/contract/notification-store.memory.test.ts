import { MemoryNotificationStore } from '../../shared/adapters/memory/notifier.js';
import { notificationStoreContract } from './notification-store.contract.js';

notificationStoreContract('memory', () => new MemoryNotificationStore());
