/** The plan a person writes in the tracking issue's body: 3 milestones × 2 features, two dependencies. */
export const CRM_OUTLINE = `We need a small CRM for the sales team.

## Contacts
- [ ] Contact model
  Store people with name, email and company.
  Size: S
- [ ] Contact list page
  Depends on: 1.1

## Deals
- [ ] Deal pipeline
- [ ] Deal stages
  Depends on: 2.1

## Email
- [ ] Send email
- [ ] Email templates
`;
