/**
 * The dispatch table: for each mode, how it takes a beneficiary message and how it asks
 * its question again. Built from function declarations only, so the modes may import
 * `reprompt` from here without an import-order trap.
 */
import type { ModeHandler, Run } from '../run.ts';
import type { Mode } from '../types.ts';
import { onOfferAgent, onWaitingMessage, onWithStaffMessage, promptOfferAgent, promptWaiting, promptWithStaff } from './escalation.ts';
import { onFaq, showFaqList } from './faq.ts';
import { onFormMessage, promptField } from './form.ts';
import { backToMenu, onMenu } from './menu.ts';
import { optedOutNotice } from './opt-out.ts';
import { onPickCorrection, onReviewMessage, showPickCorrection, showReview } from './review.ts';
import { askSurveyQuestion, onSurveyAnswer } from './survey.ts';

export const MODES: Record<Mode, ModeHandler> = {
  // A new conversation is greeted before dispatch and never reaches its handler.
  new: { message: backToMenu, prompt: backToMenu },
  menu: { message: onMenu, prompt: backToMenu },
  faq: { message: onFaq, prompt: showFaqList },
  form: { message: onFormMessage, prompt: promptField },
  review: { message: onReviewMessage, prompt: showReview },
  pick_correction: { message: onPickCorrection, prompt: showPickCorrection },
  offer_agent: { message: onOfferAgent, prompt: promptOfferAgent },
  waiting_staff: { message: onWaitingMessage, prompt: promptWaiting },
  with_staff: { message: onWithStaffMessage, prompt: promptWithStaff },
  survey: { message: onSurveyAnswer, prompt: askSurveyQuestion },
  opted_out: { message: optedOutNotice, prompt: optedOutNotice },
};

/** Asks again whatever the current step asks. */
export function reprompt(run: Run) {
  run.tick();
  (MODES[run.s.mode] ?? MODES.menu).prompt(run);
}
