import { z } from 'zod'

/**
 * A Dutch address as a registrant or the admin types it, for household links and the register of excluded
 * addresses alike: both are kept only as the same keyed hash of the normalised address (householdKey in
 * packages/shared), so "5611 ab" / "12 a" and "5611AB" / "12A" are one address.
 */
export const addressSchema = z.strictObject({
  postcode: z
    .string()
    .regex(
      /^[1-9]\d{3} ?[A-Za-z]{2}$/,
      'must be a Dutch postcode: 4 digits, not starting with 0, and 2 letters',
    )
    .describe('The postcode: 4 digits and 2 letters, with or without a space.')
    .meta({ example: '5611 AB' }),
  houseNumber: z
    .string()
    .regex(
      // An addition starting with a digit needs a space or hyphen: 12-1 is not 121.
      /^[1-9]\d{0,4}([ -]?[A-Za-z][A-Za-z0-9-]{0,5}|[ -]\d[A-Za-z0-9-]{0,5})?$/,
      'must be a house number from 1 to 99999 with an optional addition',
    )
    .describe('The house number (1 to 99999) with an optional addition: 12, 12A, 12 A, 12-1.')
    .meta({ example: '12A' }),
})
